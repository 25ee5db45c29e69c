use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::commands::{DecisionRef, FrameworkCommand, TranslationOrigin};
use super::error::FrameworkError;
use super::events::FrameworkEvent;
use super::text::{
    self, Declaration, NumberedParagraph, Operation, Paragraph, ParagraphKind, Section,
};
use crate::domain::values::{Date, DocumentSymbol, Id, LanguageTag, ParagraphId, StateCode, Text};

/// Which act gave a paragraph its present wording (the "blame" view).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum Provenance {
    Establishment {
        symbol: DocumentSymbol,
        date: Date,
    },
    Decision {
        decision: DecisionRef,
        amendment_id: Id,
    },
    ExternalEndorsement {
        symbol: DocumentSymbol,
        date: Date,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Translation {
    pub language: LanguageTag,
    pub origin: TranslationOrigin,
    pub text: Text,
    pub of_version: u32,
}

/// What the framework knows about a paragraph beyond its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParagraphRecord {
    /// The framework version in which the present wording was set. A move alone keeps it.
    pub wording_version: u32,
    pub provenance: Provenance,
    /// At most one per (language, origin): the latest.
    pub translations: Vec<Translation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedAmendment {
    pub amendment_id: Id,
    pub revision: u32,
    pub decision: DecisionRef,
    pub version: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endorsement {
    pub symbol: DocumentSymbol,
    pub date: Date,
    pub operations: Vec<Operation>,
    pub version: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TranslationView {
    pub language: LanguageTag,
    pub origin: TranslationOrigin,
    pub text: Text,
    pub of_version: u32,
    /// Derived: the original was reworded after this translation was made.
    pub out_of_date: bool,
}

/// A paragraph as the "agreed framework now" shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParagraphView {
    pub id: ParagraphId,
    pub number: String,
    pub kind: ParagraphKind,
    pub section: Section,
    pub text: Text,
    pub wording_version: u32,
    pub provenance: Provenance,
    pub translations: Vec<TranslationView>,
}

/// The Political Declaration of one Programme (or any consensus body), versioned: v1 at
/// establishment, +1 per applied amendment or external endorsement.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Framework {
    established: bool,
    body_id: Option<Id>,
    name: Option<Text>,
    establishing_symbol: Option<DocumentSymbol>,
    co_sponsors: Vec<StateCode>,
    version: u32,
    declaration: Declaration,
    records: BTreeMap<ParagraphId, ParagraphRecord>,
    applied: Vec<AppliedAmendment>,
    endorsements: Vec<Endorsement>,
}

impl Framework {
    pub fn is_established(&self) -> bool {
        self.established
    }

    pub fn version(&self) -> u32 {
        self.version
    }

    pub fn declaration(&self) -> &Declaration {
        &self.declaration
    }

    pub fn body_id(&self) -> Option<&Id> {
        self.body_id.as_ref()
    }

    pub fn name(&self) -> Option<&Text> {
        self.name.as_ref()
    }

    pub fn record(&self, paragraph: &ParagraphId) -> Option<&ParagraphRecord> {
        self.records.get(paragraph)
    }

    pub fn applied_amendments(&self) -> &[AppliedAmendment] {
        &self.applied
    }

    pub fn endorsements(&self) -> &[Endorsement] {
        &self.endorsements
    }

    /// The agreed framework now: every paragraph in order, numbered, with provenance and
    /// translations (out-of-date ones flagged).
    pub fn paragraph_views(&self) -> Vec<ParagraphView> {
        let numbers: HashMap<ParagraphId, String> = self
            .declaration
            .numbering()
            .into_iter()
            .map(|n| (n.id, n.number))
            .collect();
        self.declaration
            .paragraphs
            .iter()
            .filter_map(|p| {
                let r = self.records.get(&p.id)?;
                Some(ParagraphView {
                    id: p.id.clone(),
                    number: numbers.get(&p.id).cloned().unwrap_or_default(),
                    kind: p.kind,
                    section: p.section,
                    text: p.text.clone(),
                    wording_version: r.wording_version,
                    provenance: r.provenance.clone(),
                    translations: r
                        .translations
                        .iter()
                        .map(|t| TranslationView {
                            language: t.language,
                            origin: t.origin,
                            text: t.text.clone(),
                            of_version: t.of_version,
                            out_of_date: t.of_version != r.wording_version,
                        })
                        .collect(),
                })
            })
            .collect()
    }

    fn require_established(&self) -> Result<(), FrameworkError> {
        if self.established {
            Ok(())
        } else {
            Err(FrameworkError::NotEstablished)
        }
    }

    /// Computes the change event fields for `ops` applied to the current text.
    fn change(
        &self,
        ops: &[Operation],
    ) -> Result<(Declaration, Vec<Paragraph>, Vec<ParagraphId>), text::OpError> {
        let next = text::apply(&self.declaration, ops)?;
        let (changed, deleted) = text::changed_paragraphs(&self.declaration, &next);
        Ok((next, changed, deleted))
    }

    fn decide_amendment(
        &self,
        decision: DecisionRef,
        amendment_id: Id,
        revision: u32,
        base_version: u32,
        operations: Vec<Operation>,
    ) -> Result<Option<FrameworkEvent>, FrameworkError> {
        self.require_established()?;
        // Exactly once. A retry of the very same application (same amendment, decision and
        // revision: the app re-sending after a crash) succeeds and emits nothing; anything
        // else that would apply an amendment or a decision a second time is refused.
        if let Some(done) = self.applied.iter().find(|a| a.amendment_id == amendment_id) {
            if done.decision.same_decision(&decision) && done.revision == revision {
                return Ok(None);
            }
            return Err(FrameworkError::AmendmentAlreadyApplied {
                amendment_id,
                symbol: done.decision.symbol.clone(),
                version: done.version,
            });
        }
        if let Some(done) = self
            .applied
            .iter()
            .find(|a| a.decision.same_decision(&decision))
        {
            return Err(FrameworkError::DecisionAlreadyApplied {
                symbol: done.decision.symbol.clone(),
                amendment_id: done.amendment_id.clone(),
            });
        }
        if base_version == 0 || base_version > self.version {
            return Err(FrameworkError::UnknownBaseVersion {
                base_version,
                current_version: self.version,
            });
        }
        let rebased = base_version != self.version;
        let (next, changed, deleted) = self.change(&operations).map_err(|error| {
            if rebased {
                FrameworkError::RebaseConflict {
                    amendment_id: amendment_id.clone(),
                    base_version,
                    current_version: self.version,
                    conflict: error.into(),
                }
            } else {
                FrameworkError::InvalidOperations {
                    version: self.version,
                    error,
                }
            }
        })?;
        Ok(Some(FrameworkEvent::AmendmentApplied {
            decision,
            amendment_id,
            revision,
            base_version,
            rebased,
            version: self.version + 1,
            operations,
            changed,
            deleted,
            numbering: next.numbering(),
        }))
    }

    fn decide(&self, command: FrameworkCommand) -> Result<Option<FrameworkEvent>, FrameworkError> {
        match command {
            FrameworkCommand::EstablishProgramme {
                body_id,
                name,
                establishing_symbol,
                date,
                co_sponsors,
                sections,
                paragraphs,
            } => {
                if self.established {
                    return Err(FrameworkError::AlreadyEstablished);
                }
                for (i, s) in co_sponsors.iter().enumerate() {
                    if co_sponsors[..i].contains(s) {
                        return Err(FrameworkError::DuplicateCoSponsor(s.clone()));
                    }
                }
                let declaration = Declaration {
                    sections,
                    paragraphs,
                };
                declaration
                    .validate()
                    .map_err(FrameworkError::InvalidDeclaration)?;
                let numbering = declaration.numbering();
                Ok(Some(FrameworkEvent::ProgrammeEstablished {
                    body_id,
                    name,
                    establishing_symbol,
                    date,
                    co_sponsors,
                    sections: declaration.sections,
                    paragraphs: declaration.paragraphs,
                    version: 1,
                    numbering,
                }))
            }
            FrameworkCommand::ApplyAdoptedAmendment {
                decision,
                amendment_id,
                revision,
                base_version,
                operations,
            } => self.decide_amendment(decision, amendment_id, revision, base_version, operations),
            FrameworkCommand::RecordExternalEndorsement {
                symbol,
                date,
                operations,
            } => {
                self.require_established()?;
                if let Some(e) = self.endorsements.iter().find(|e| e.symbol == symbol) {
                    // Same endorsement re-sent: nothing to do. Same symbol, other content: refuse.
                    if e.date == date && e.operations == operations {
                        return Ok(None);
                    }
                    return Err(FrameworkError::EndorsementAlreadyRecorded { symbol });
                }
                let (next, changed, deleted) = self.change(&operations).map_err(|error| {
                    FrameworkError::InvalidOperations {
                        version: self.version,
                        error,
                    }
                })?;
                Ok(Some(FrameworkEvent::ExternalEndorsementRecorded {
                    symbol,
                    date,
                    version: self.version + 1,
                    operations,
                    changed,
                    deleted,
                    numbering: next.numbering(),
                }))
            }
            FrameworkCommand::AddTranslation {
                paragraph,
                language,
                text,
                origin,
                of_version,
            } => {
                self.require_established()?;
                let Some(record) = self.records.get(&paragraph) else {
                    return Err(FrameworkError::UnknownParagraph { paragraph });
                };
                if language == LanguageTag::En {
                    return Err(FrameworkError::TranslationIntoOriginal { paragraph });
                }
                let wording_version = record.wording_version;
                if of_version > wording_version {
                    return Err(FrameworkError::TranslationOfUnknownWording {
                        paragraph,
                        of_version,
                        wording_version,
                    });
                }
                // A translation of superseded wording would be out of date on arrival.
                if of_version < wording_version {
                    return Err(FrameworkError::TranslationOutdated {
                        paragraph,
                        of_version,
                        wording_version,
                    });
                }
                Ok(Some(FrameworkEvent::TranslationAdded {
                    paragraph,
                    language,
                    origin,
                    text,
                    of_version,
                }))
            }
        }
    }

    /// Assigns a change recorded in an event: new wording, deletions, order.
    fn assign_change(
        &mut self,
        version: u32,
        changed: Vec<Paragraph>,
        deleted: Vec<ParagraphId>,
        numbering: Vec<NumberedParagraph>,
        provenance: Provenance,
    ) {
        let mut by_id: HashMap<ParagraphId, Paragraph> =
            std::mem::take(&mut self.declaration.paragraphs)
                .into_iter()
                .map(|p| (p.id.clone(), p))
                .collect();
        for id in &deleted {
            by_id.remove(id);
            self.records.remove(id);
        }
        for p in changed {
            let reworded = by_id.get(&p.id).is_none_or(|old| old.text != p.text);
            let record = self
                .records
                .entry(p.id.clone())
                .or_insert_with(|| ParagraphRecord {
                    wording_version: version,
                    provenance: provenance.clone(),
                    translations: Vec::new(),
                });
            if reworded {
                record.wording_version = version;
                record.provenance = provenance.clone();
            }
            by_id.insert(p.id.clone(), p);
        }
        self.declaration.paragraphs = numbering
            .into_iter()
            .filter_map(|n| by_id.remove(&n.id))
            .collect();
        self.version = version;
    }
}

crate::domain::aggregate!(
    Framework,
    "Framework",
    FrameworkCommand,
    FrameworkEvent,
    FrameworkError
);

impl Framework {
    /// Applies an event to the state (the `apply` of its `Aggregate` impl).
    fn apply_event(&mut self, event: FrameworkEvent) {
        match event {
            FrameworkEvent::ProgrammeEstablished {
                body_id,
                name,
                establishing_symbol,
                date,
                co_sponsors,
                sections,
                paragraphs,
                version,
                numbering: _,
            } => {
                let provenance = Provenance::Establishment {
                    symbol: establishing_symbol.clone(),
                    date,
                };
                self.records = paragraphs
                    .iter()
                    .map(|p| {
                        (
                            p.id.clone(),
                            ParagraphRecord {
                                wording_version: version,
                                provenance: provenance.clone(),
                                translations: Vec::new(),
                            },
                        )
                    })
                    .collect();
                self.established = true;
                self.body_id = Some(body_id);
                self.name = Some(name);
                self.establishing_symbol = Some(establishing_symbol);
                self.co_sponsors = co_sponsors;
                self.declaration = Declaration {
                    sections,
                    paragraphs,
                };
                self.version = version;
            }
            FrameworkEvent::AmendmentApplied {
                decision,
                amendment_id,
                revision,
                version,
                changed,
                deleted,
                numbering,
                ..
            } => {
                self.applied.push(AppliedAmendment {
                    amendment_id: amendment_id.clone(),
                    revision,
                    decision: decision.clone(),
                    version,
                });
                self.assign_change(
                    version,
                    changed,
                    deleted,
                    numbering,
                    Provenance::Decision {
                        decision,
                        amendment_id,
                    },
                );
            }
            FrameworkEvent::ExternalEndorsementRecorded {
                symbol,
                date,
                version,
                operations,
                changed,
                deleted,
                numbering,
            } => {
                self.endorsements.push(Endorsement {
                    symbol: symbol.clone(),
                    date,
                    operations,
                    version,
                });
                self.assign_change(
                    version,
                    changed,
                    deleted,
                    numbering,
                    Provenance::ExternalEndorsement { symbol, date },
                );
            }
            FrameworkEvent::TranslationAdded {
                paragraph,
                language,
                origin,
                text,
                of_version,
            } => {
                if let Some(r) = self.records.get_mut(&paragraph) {
                    r.translations
                        .retain(|t| !(t.language == language && t.origin == origin));
                    r.translations.push(Translation {
                        language,
                        origin,
                        text,
                        of_version,
                    });
                }
            }
        }
    }
}
