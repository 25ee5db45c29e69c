//! A body's programme of work: the items it was tasked with (a working group's mandate, say),
//! each with its status over time and the documents it produced.

use serde::{Deserialize, Serialize};

use crate::domain::values::{Date, DocumentSymbol, Text};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumIter,
)]
pub enum WorkItemStatus {
    Planned,
    InProgress,
    Completed,
    Discontinued,
}

impl WorkItemStatus {
    /// A completed or discontinued item takes no more progress.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            WorkItemStatus::Completed | WorkItemStatus::Discontinued
        )
    }
}

/// One recorded step of an item: its status from that day, why, and what it produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkItemStep {
    pub on: Date,
    pub status: WorkItemStatus,
    pub note: Option<Text>,
    pub output: Option<DocumentSymbol>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkItem {
    pub title: Text,
    pub description: Option<Text>,
    /// The decision or document that gave the body this task.
    pub mandate: Option<DocumentSymbol>,
    pub due: Option<Date>,
    pub added_on: Date,
    pub status: WorkItemStatus,
    /// Every step after the item was added, in order.
    pub steps: Vec<WorkItemStep>,
}

impl WorkItem {
    /// The documents the item produced, in the order recorded.
    pub fn outputs(&self) -> impl Iterator<Item = &DocumentSymbol> {
        self.steps.iter().filter_map(|s| s.output.as_ref())
    }

    /// Due before `today` and not closed.
    pub fn is_overdue(&self, today: Date) -> bool {
        !self.status.is_closed() && self.due.is_some_and(|d| d < today)
    }
}
