//! The Merkle tree over event hashes, exactly as RFC 9162 §2.1 (Certificate Transparency v2)
//! defines it, so any CT library or a 40-line script can check our roots and proofs:
//!
//! - leaf: `SHA-256(0x00 || event_hash)`; the leaves are the events in position order;
//! - node: `SHA-256(0x01 || left || right)`, splitting `n` leaves at the largest power of two
//!   smaller than `n`;
//! - the empty tree: `SHA-256("")`.
//!
//! Hand-written rather than taken from a crate: the popular `rs_merkle` promotes odd nodes
//! (not RFC 9162), and the code is short enough to be read against the RFC.

use sha2::{Digest, Sha256};

use crate::store::Hash;

pub fn leaf_hash(event_hash: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(event_hash);
    h.finalize().into()
}

pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// Builds the root incrementally: a stack of perfect subtrees (at most 64), so a root over a
/// million events needs no more memory than over ten.
#[derive(Debug, Clone, Default)]
pub struct MerkleBuilder {
    /// (height, hash) of perfect subtrees, left to right, strictly decreasing heights.
    stack: Vec<(u32, Hash)>,
    size: u64,
}

impl MerkleBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the next event hash (not yet leaf-hashed).
    pub fn push(&mut self, event_hash: &Hash) {
        let mut node = (0u32, leaf_hash(event_hash));
        while let Some(&(height, left)) = self.stack.last() {
            if height != node.0 {
                break;
            }
            self.stack.pop();
            node = (height + 1, node_hash(&left, &node.1));
        }
        self.stack.push(node);
        self.size += 1;
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// The RFC 9162 root of the leaves pushed so far: the perfect subtrees combined right to
    /// left, which is exactly the recursive definition's split at powers of two.
    pub fn root(&self) -> Hash {
        let mut iter = self.stack.iter().rev();
        let Some(&(_, mut acc)) = iter.next() else {
            return empty_root();
        };
        for (_, left) in iter {
            acc = node_hash(left, &acc);
        }
        acc
    }
}

/// The root over `event_hashes` (a convenience over [`MerkleBuilder`]).
pub fn root(event_hashes: &[Hash]) -> Hash {
    let mut b = MerkleBuilder::new();
    for h in event_hashes {
        b.push(h);
    }
    b.root()
}

fn split(n: usize) -> usize {
    // Largest power of two strictly smaller than n (n >= 2).
    1 << (usize::BITS - 1 - (n - 1).leading_zeros())
}

/// RFC 9162 `PATH(m, D[n])`: the audit path proving that leaf `index` is in the tree over
/// `event_hashes`. `None` if the index is out of range.
pub fn inclusion_path(event_hashes: &[Hash], index: usize) -> Option<Vec<Hash>> {
    if index >= event_hashes.len() {
        return None;
    }
    let mut path = Vec::new();
    path_rec(event_hashes, index, &mut path);
    Some(path)
}

fn path_rec(d: &[Hash], m: usize, out: &mut Vec<Hash>) {
    if d.len() <= 1 {
        return;
    }
    let k = split(d.len());
    if m < k {
        path_rec(&d[..k], m, out);
        out.push(root(&d[k..]));
    } else {
        path_rec(&d[k..], m - k, out);
        out.push(root(&d[..k]));
    }
}

/// RFC 9162 §2.1.3.2: checks that `event_hash` is leaf `index` of a tree of `size` leaves
/// whose root is `expected_root`.
pub fn verify_inclusion(
    event_hash: &Hash,
    index: u64,
    size: u64,
    path: &[Hash],
    expected_root: &Hash,
) -> bool {
    if index >= size {
        return false;
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = leaf_hash(event_hash);
    for p in path {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            if f & 1 == 0 {
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    s == 0 && r == *expected_root
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hashes(n: usize) -> Vec<Hash> {
        (0..n)
            .map(|i| Sha256::digest((i as u64).to_be_bytes()).into())
            .collect()
    }

    /// The recursive definition of RFC 9162, written naively, as the oracle.
    fn mth(d: &[Hash]) -> Hash {
        match d.len() {
            0 => empty_root(),
            1 => leaf_hash(&d[0]),
            n => {
                let k = split(n);
                node_hash(&mth(&d[..k]), &mth(&d[k..]))
            }
        }
    }

    #[test]
    fn split_is_the_largest_power_of_two_below() {
        assert_eq!(split(2), 1);
        assert_eq!(split(3), 2);
        assert_eq!(split(4), 2);
        assert_eq!(split(5), 4);
        assert_eq!(split(8), 4);
        assert_eq!(split(9), 8);
    }

    #[test]
    fn known_shapes() {
        let d = hashes(3);
        let expected = node_hash(
            &node_hash(&leaf_hash(&d[0]), &leaf_hash(&d[1])),
            &leaf_hash(&d[2]),
        );
        assert_eq!(root(&d), expected);
        assert_eq!(
            root(&[]),
            hex_literal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        );
    }

    fn hex_literal(s: &str) -> Hash {
        crate::store::chain::from_hex(s).unwrap()
    }

    #[test]
    fn a_changed_leaf_or_path_fails() {
        let d = hashes(11);
        let r = root(&d);
        let path = inclusion_path(&d, 6).unwrap();
        assert!(verify_inclusion(&d[6], 6, 11, &path, &r));
        assert!(!verify_inclusion(&d[5], 6, 11, &path, &r));
        assert!(!verify_inclusion(&d[6], 5, 11, &path, &r));
        // The size shapes the path (the signed checkpoint binds it; see verify_proof).
        assert!(!verify_inclusion(&d[6], 6, 7, &path, &r));
        let mut bad = path.clone();
        bad[0][0] ^= 1;
        assert!(!verify_inclusion(&d[6], 6, 11, &bad, &r));
        assert!(!verify_inclusion(&d[6], 6, 11, &path[..path.len() - 1], &r));
        assert!(inclusion_path(&d, 11).is_none());
    }

    proptest! {
        #[test]
        fn incremental_root_equals_the_recursive_definition(n in 0usize..300) {
            let d = hashes(n);
            prop_assert_eq!(root(&d), mth(&d));
        }

        #[test]
        fn every_leaf_has_a_proof_that_verifies(n in 1usize..200, seed in any::<usize>()) {
            let d = hashes(n);
            let r = root(&d);
            let i = seed % n;
            let path = inclusion_path(&d, i).unwrap();
            prop_assert!(verify_inclusion(&d[i], i as u64, n as u64, &path, &r));
        }
    }
}
