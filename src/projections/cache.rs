//! This process's copy of the documents it has read or written, so that reading a live
//! document (a meeting, its agenda) and loading one to fold the next event into it cost no
//! database round trip.
//!
//! Why it stays exact:
//! - The projector puts every document it changed here after its transaction commits, with
//!   the position of the event that last changed it.
//! - A document read from the database is added only if nothing newer is here, and only if
//!   the cache was not cleared while it was being read.
//! - Another process's projector may apply events instead of this one (two instances on one
//!   database). This process notices when, under the checkpoint's lock, it finds a checkpoint
//!   it did not leave, and then drops that projection's documents before using them. Until
//!   that step, a read without `min_position` may see a document as it was before the other
//!   process's commit, as it may see this process's own projection lag; a read with
//!   `min_position` waits for the projector's position, which moves only after that step.
//!
//! The cache is bounded by the size of the JSON it holds; past the bound it is emptied.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;

/// A document changed by the projector: key, position of the event that last changed it, and
/// the document (`None`: deleted).
pub type DocChange = (String, i64, Option<Arc<Value>>);

/// What the cache knows of one document.
pub enum Lookup {
    /// Here as it is in the database (`None`: deleted).
    Hit(Option<Arc<Value>>),
    /// Not here; give [`DocCache::offer`] this generation with what the database returns.
    Miss(u64),
}

#[derive(Clone, Copy)]
struct Entry {
    position: i64,
    /// Size of the document's JSON text, for the bound.
    bytes: usize,
}

#[derive(Default)]
struct Shelf {
    /// The checkpoint this process last committed for the projection: while the checkpoint is
    /// still there, no other process has changed the projection's documents.
    valid_at: Option<i64>,
    /// Bumped by every clear, so a read that began before a clear cannot add what it read.
    generation: u64,
    docs: HashMap<String, (Entry, Option<Arc<Value>>)>,
}

pub struct DocCache {
    shelves: Mutex<(HashMap<&'static str, Shelf>, usize)>,
    /// Bound on the JSON text held, in bytes.
    budget: usize,
}

/// Default bound: 4 MB of JSON text, several times that in memory as parsed values. Live
/// documents (a meeting, its agenda) are a few kilobytes each, so this holds every meeting in
/// session many times over.
pub const DEFAULT_BUDGET: usize = 4 << 20;

impl Default for DocCache {
    fn default() -> Self {
        Self::new(DEFAULT_BUDGET)
    }
}

impl DocCache {
    pub fn new(budget: usize) -> Self {
        Self {
            shelves: Mutex::new((HashMap::new(), 0)),
            budget,
        }
    }

    pub fn get(&self, projection: &str, key: &str) -> Lookup {
        let Ok(guard) = self.shelves.lock() else {
            return Lookup::Miss(u64::MAX);
        };
        match guard.0.get(projection) {
            Some(shelf) => match shelf.docs.get(key) {
                Some((_, doc)) => Lookup::Hit(doc.clone()),
                None => Lookup::Miss(shelf.generation),
            },
            None => Lookup::Miss(0),
        }
    }

    /// Adds a document read from the database at `generation` (from [`Lookup::Miss`]), unless
    /// the cache was cleared since or holds a newer version.
    pub fn offer(
        &self,
        projection: &'static str,
        key: &str,
        position: i64,
        bytes: usize,
        doc: Arc<Value>,
        generation: u64,
    ) {
        let Ok(mut guard) = self.shelves.lock() else {
            return;
        };
        let (shelves, held) = &mut *guard;
        let shelf = shelves.entry(projection).or_default();
        if shelf.generation != generation {
            return;
        }
        if shelf
            .docs
            .get(key)
            .is_some_and(|(e, _)| e.position >= position)
        {
            return;
        }
        let entry = Entry { position, bytes };
        if let Some((old, _)) = shelf.docs.insert(key.to_owned(), (entry, Some(doc))) {
            *held -= old.bytes;
        }
        *held += bytes;
        self.keep_within_budget(shelves, held);
    }

    /// Called by the projector holding the projection's checkpoint lock: true if the cached
    /// documents are exactly the database's (no other process applied events since this one
    /// last committed). Otherwise empties the projection's shelf, which makes it exact again.
    pub fn check(&self, projection: &'static str, checkpoint: i64) -> bool {
        let Ok(mut guard) = self.shelves.lock() else {
            return false;
        };
        let (shelves, held) = &mut *guard;
        let shelf = shelves.entry(projection).or_default();
        if shelf.valid_at == Some(checkpoint) {
            return true;
        }
        *held -= shelf.docs.values().map(|(e, _)| e.bytes).sum::<usize>();
        shelf.docs.clear();
        shelf.generation += 1;
        shelf.valid_at = Some(checkpoint);
        false
    }

    /// After the projector's commit: its changes, and the checkpoint it left.
    pub fn commit(&self, projection: &'static str, checkpoint: i64, changes: Vec<DocChange>) {
        let Ok(mut guard) = self.shelves.lock() else {
            return;
        };
        let (shelves, held) = &mut *guard;
        let shelf = shelves.entry(projection).or_default();
        for (key, position, doc) in changes {
            let bytes = doc.as_ref().map_or(0, |d| json_len(d));
            let entry = Entry { position, bytes };
            if let Some((old, _)) = shelf.docs.insert(key, (entry, doc)) {
                *held -= old.bytes;
            }
            *held += bytes;
        }
        shelf.valid_at = Some(checkpoint);
        self.keep_within_budget(shelves, held);
    }

    /// Forgets everything (a rebuild rewrites the documents).
    pub fn clear(&self) {
        if let Ok(mut guard) = self.shelves.lock() {
            let (shelves, held) = &mut *guard;
            for shelf in shelves.values_mut() {
                shelf.docs.clear();
                shelf.generation += 1;
                shelf.valid_at = None;
            }
            *held = 0;
        }
    }

    fn keep_within_budget(&self, shelves: &mut HashMap<&'static str, Shelf>, held: &mut usize) {
        if *held <= self.budget {
            return;
        }
        // Emptying a shelf keeps it exact, so `valid_at` stays.
        for shelf in shelves.values_mut() {
            shelf.docs.clear();
            shelf.generation += 1;
        }
        *held = 0;
    }

    /// Documents held (for tests and the memory benchmark).
    pub fn len(&self) -> usize {
        self.shelves
            .lock()
            .map(|g| g.0.values().map(|s| s.docs.len()).sum())
            .unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The length of a document's JSON text, without building it.
fn json_len(v: &Value) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut c = Count(0);
    let _ = serde_json::to_writer(&mut c, v);
    c.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(v: Value) -> Option<Arc<Value>> {
        Some(Arc::new(v))
    }

    fn hit(c: &DocCache, key: &str) -> Option<Option<Value>> {
        match c.get("p", key) {
            Lookup::Hit(d) => Some(d.map(|d| (*d).clone())),
            Lookup::Miss(_) => None,
        }
    }

    fn generation(c: &DocCache, key: &str) -> u64 {
        match c.get("p", key) {
            Lookup::Miss(g) => g,
            Lookup::Hit(_) => panic!("{key} is cached"),
        }
    }

    #[test]
    fn a_read_older_than_the_projectors_commit_is_not_kept() {
        let c = DocCache::default();
        let g = generation(&c, "k");
        c.commit("p", 10, vec![("k".into(), 10, doc(json!({"v": 2})))]);
        c.offer("p", "k", 5, 8, Arc::new(json!({"v": 1})), g);
        assert_eq!(hit(&c, "k"), Some(Some(json!({"v": 2}))));
    }

    #[test]
    fn a_deletion_is_not_undone_by_a_read_from_before_it() {
        let c = DocCache::default();
        let g = generation(&c, "k");
        c.commit("p", 10, vec![("k".into(), 10, None)]);
        c.offer("p", "k", 5, 8, Arc::new(json!({"v": 1})), g);
        assert_eq!(hit(&c, "k"), Some(None));
    }

    #[test]
    fn a_read_that_began_before_a_clear_is_not_kept() {
        let c = DocCache::default();
        c.commit("p", 10, vec![]);
        let g = generation(&c, "k");
        // Another process applied events: the checkpoint is not the one this process left.
        assert!(!c.check("p", 12));
        c.offer("p", "k", 5, 8, Arc::new(json!({"v": 1})), g);
        assert_eq!(hit(&c, "k"), None);
        let g = generation(&c, "k");
        c.offer("p", "k", 11, 8, Arc::new(json!({"v": 3})), g);
        assert_eq!(hit(&c, "k"), Some(Some(json!({"v": 3}))));
    }

    #[test]
    fn a_checkpoint_this_process_left_keeps_the_documents() {
        let c = DocCache::default();
        c.commit("p", 10, vec![("k".into(), 9, doc(json!(1)))]);
        assert!(c.check("p", 10));
        assert_eq!(hit(&c, "k"), Some(Some(json!(1))));
        assert!(!c.check("p", 11));
        assert_eq!(hit(&c, "k"), None);
        // Emptied, the shelf is exact at the checkpoint found.
        assert!(c.check("p", 11));
    }

    #[test]
    fn past_the_budget_the_cache_is_emptied() {
        let c = DocCache::new(100);
        c.commit("p", 1, vec![("a".into(), 1, doc(json!("x".repeat(60))))]);
        assert_eq!(c.len(), 1);
        c.commit("p", 2, vec![("b".into(), 2, doc(json!("y".repeat(60))))]);
        assert!(c.is_empty());
        // Still exact: the projector's next step need not clear it again.
        assert!(c.check("p", 2));
    }

    #[test]
    fn a_clear_forgets_every_projection() {
        let c = DocCache::default();
        c.commit("p", 3, vec![("k".into(), 3, doc(json!(1)))]);
        c.clear();
        assert_eq!(hit(&c, "k"), None);
        assert!(!c.check("p", 3));
    }
}
