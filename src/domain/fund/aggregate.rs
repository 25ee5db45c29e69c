use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use crate::domain::values::{Date, Id, Party, Text};

/// What an entry of the ledger records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// Promised, not yet received.
    Pledge,
    /// Received.
    Contribution,
    /// Paid out.
    Disbursement,
}

/// One entry. Amounts are whole units of the fund's currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub entry_id: Id,
    pub kind: EntryKind,
    /// The donor of a pledge or contribution; none for a disbursement.
    pub donor: Option<Party>,
    /// Who a disbursement was paid to.
    pub recipient: Option<Text>,
    pub amount: u64,
    pub purpose: Text,
    pub date: Date,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Fund {
    pub body_id: Option<Id>,
    pub name: Option<Text>,
    /// ISO 4217, e.g. USD.
    pub currency: Option<String>,
    pub entries: Vec<Entry>,
}

// A field marked `skip_deserializing` is a fact the application supplies (the clock, another
// record), never read from a request: `app::funds::supply` sets it, one arm per command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[strum_discriminants(
    name(FundCommandKind),
    derive(Hash, strum::EnumString, strum::IntoStaticStr, strum::EnumIter)
)]
pub enum FundCommand {
    EstablishFund {
        body_id: Id,
        name: Text,
        currency: String,
    },
    /// A pledge, a contribution received or a disbursement, on `date` (not after `today`,
    /// which the application supplies).
    RecordEntry {
        entry_id: Id,
        kind: EntryKind,
        donor: Option<Party>,
        recipient: Option<Text>,
        amount: u64,
        purpose: Text,
        date: Date,
        #[serde(skip_deserializing)]
        today: Date,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[strum_discriminants(
    name(FundEventKind),
    derive(strum::IntoStaticStr, strum::EnumString, strum::EnumIter)
)]
pub enum FundEvent {
    FundEstablished {
        body_id: Id,
        name: Text,
        currency: String,
    },
    EntryRecorded(Entry),
}

impl DomainEvent for FundEvent {
    fn event_type(&self) -> String {
        // The variant's name, by construction (the stored type, which never changes).
        <&'static str>::from(FundEventKind::from(self)).to_owned()
    }

    fn event_version(&self) -> String {
        crate::domain::schema::version("Fund", &self.event_type()).to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FundError {
    #[error("the fund is already established")]
    AlreadyEstablished,
    #[error("there is no such fund: establish it first")]
    NotEstablished,
    #[error("a currency is three capital letters (ISO 4217), e.g. USD; {0:?} was given")]
    Currency(String),
    #[error("an amount is a whole number above zero")]
    ZeroAmount,
    #[error("entry {0} is already in the ledger")]
    DuplicateEntry(Id),
    #[error("a pledge or contribution names its donor (donor), and a disbursement its recipient (recipient), not the other")]
    WrongParty,
    #[error("the date {date} is after today ({today})")]
    FutureDate { date: Date, today: Date },
    #[error("disbursing {amount} on {date} would take the balance below zero on {on} (it is {balance} then)")]
    Overdrawn {
        amount: u64,
        date: Date,
        on: Date,
        balance: i128,
    },
}

impl FundError {
    /// Stable slug, used as the problem+json `type`.
    pub fn code(&self) -> &'static str {
        match self {
            FundError::AlreadyEstablished => "fund-exists",
            FundError::NotEstablished => "unknown-fund",
            FundError::Currency(_) => "currency",
            FundError::ZeroAmount => "zero-amount",
            FundError::DuplicateEntry(_) => "duplicate-entry",
            FundError::WrongParty => "wrong-party",
            FundError::FutureDate { .. } => "future-date",
            FundError::Overdrawn { .. } => "overdrawn",
        }
    }

    /// True when the refusal is about the ledger as it stands (409).
    pub fn is_conflict(&self) -> bool {
        matches!(
            self,
            FundError::AlreadyEstablished
                | FundError::NotEstablished
                | FundError::DuplicateEntry(_)
                | FundError::Overdrawn { .. }
        )
    }
}

crate::domain::aggregate!(Fund, "Fund", FundCommand, FundEvent, FundError);

impl Fund {
    /// Received minus disbursed, counting the entries dated on or before `day`.
    pub fn balance_on(&self, day: Date) -> i128 {
        self.entries
            .iter()
            .filter(|e| e.date <= day)
            .map(|e| match e.kind {
                EntryKind::Contribution => i128::from(e.amount),
                EntryKind::Disbursement => -i128::from(e.amount),
                EntryKind::Pledge => 0,
            })
            .sum()
    }

    fn decide(&self, command: FundCommand) -> Result<Vec<FundEvent>, FundError> {
        match command {
            FundCommand::EstablishFund {
                body_id,
                name,
                currency,
            } => {
                if self.name.is_some() {
                    return Err(FundError::AlreadyEstablished);
                }
                if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
                    return Err(FundError::Currency(currency));
                }
                Ok(vec![FundEvent::FundEstablished {
                    body_id,
                    name,
                    currency,
                }])
            }
            FundCommand::RecordEntry {
                entry_id,
                kind,
                donor,
                recipient,
                amount,
                purpose,
                date,
                today,
            } => {
                if self.name.is_none() {
                    return Err(FundError::NotEstablished);
                }
                if amount == 0 {
                    return Err(FundError::ZeroAmount);
                }
                if self.entries.iter().any(|e| e.entry_id == entry_id) {
                    return Err(FundError::DuplicateEntry(entry_id));
                }
                let disbursing = kind == EntryKind::Disbursement;
                if donor.is_some() == disbursing || recipient.is_some() != disbursing {
                    return Err(FundError::WrongParty);
                }
                if date > today {
                    return Err(FundError::FutureDate { date, today });
                }
                if disbursing {
                    // On its day and on every later day that has an entry, the balance stays
                    // at or above zero.
                    let mut days: Vec<Date> = self
                        .entries
                        .iter()
                        .map(|e| e.date)
                        .filter(|d| *d >= date)
                        .collect();
                    days.push(date);
                    days.sort();
                    for day in days {
                        let balance = self.balance_on(day);
                        if balance < i128::from(amount) {
                            return Err(FundError::Overdrawn {
                                amount,
                                date,
                                on: day,
                                balance,
                            });
                        }
                    }
                }
                Ok(vec![FundEvent::EntryRecorded(Entry {
                    entry_id,
                    kind,
                    donor,
                    recipient,
                    amount,
                    purpose,
                    date,
                })])
            }
        }
    }

    fn apply_event(&mut self, event: FundEvent) {
        match event {
            FundEvent::FundEstablished {
                body_id,
                name,
                currency,
            } => {
                self.body_id = Some(body_id);
                self.name = Some(name);
                self.currency = Some(currency);
            }
            FundEvent::EntryRecorded(e) => self.entries.push(e),
        }
    }
}
