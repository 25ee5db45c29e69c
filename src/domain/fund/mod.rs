//! A fund's ledger (one record per fund: the dedicated capacity-building fund, the
//! sponsorship programme): pledges, contributions received and disbursements, by donor and
//! purpose, each on the day it happened, so the balance can be read as of any date
//! (`app::funds`). A disbursement never takes the balance below zero on its day or after.

pub mod aggregate;

pub use aggregate::{
    Entry, EntryKind, Fund, FundCommand, FundCommandKind, FundError, FundEvent, FundEventKind,
};

#[cfg(test)]
mod tests;
