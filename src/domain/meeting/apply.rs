//! Folding the meeting's events into its state.

use std::collections::BTreeMap;

use super::commands::*;
use super::error::MeetingError;
use super::events::*;
use super::state::*;

crate::domain::aggregate!(
    Meeting,
    "Meeting",
    MeetingCommand,
    MeetingEvent,
    MeetingError
);

impl Meeting {
    /// Applies an event to the state (the `apply` of its `Aggregate` impl).
    fn apply_event(&mut self, event: MeetingEvent) {
        use MeetingEvent as E;
        match event {
            E::MeetingConvened {
                meeting_id,
                body_id,
                kind,
                symbol,
                rules,
                members,
                starts,
                ends,
                precedes,
                ..
            } => {
                self.convened_dates = Some((starts, ends));
                self.precedes = precedes;
                self.id = Some(meeting_id);
                self.body_id = Some(body_id);
                self.kind = Some(kind);
                self.symbol = Some(symbol);
                self.rules = rules;
                self.members = members.into_iter().collect();
                self.status = MeetingStatus::Convened;
            }
            E::MeetingOpened { .. } | E::MeetingResumed { .. } => self.status = MeetingStatus::Open,
            E::SatOutsideConvenedDates { on, .. } => self.sat_outside_dates.push(on),
            E::MeetingSuspended { .. } => self.status = MeetingStatus::Suspended,
            E::MeetingClosed { .. } => self.status = MeetingStatus::Closed,
            E::DelegationRegistered { state, members } => {
                self.delegations.insert(state, members);
            }
            E::ObserverAdmitted { observer_id, name } => {
                self.observers.insert(observer_id, name);
            }
            E::StakeholderAdmitted {
                organisation_id,
                kind,
                role,
                ..
            } => {
                self.stakeholders.insert(organisation_id, (kind, role));
            }
            E::StateMarkedPresent { state, .. } => {
                self.present.insert(state);
            }
            E::StateMarkedAbsent { state, .. } => {
                self.present.remove(&state);
            }
            E::SponsorshipRequested {
                request_id,
                expert,
                state,
                amount_usd,
            } => {
                self.sponsorships.insert(
                    request_id,
                    SponsorshipRequest {
                        expert,
                        state,
                        amount_usd,
                        status: SponsorshipStatus::Requested,
                        fund_id: None,
                    },
                );
            }
            E::SponsorshipAwarded {
                request_id,
                fund_id,
                ..
            } => {
                if let Some(r) = self.sponsorships.get_mut(&request_id) {
                    r.status = SponsorshipStatus::Awarded;
                    r.fund_id = fund_id;
                }
            }
            E::SponsorshipDeclined { request_id, .. } => {
                if let Some(r) = self.sponsorships.get_mut(&request_id) {
                    r.status = SponsorshipStatus::Declined;
                }
            }
            E::ProvisionalAgendaIssued { items } => {
                self.agenda = items
                    .into_iter()
                    .map(|item| AgendaEntry {
                        item,
                        status: ItemStatus::Pending,
                    })
                    .collect();
            }
            E::AgendaAdopted { items, .. } => {
                self.agenda = items
                    .into_iter()
                    .map(|item| AgendaEntry {
                        item,
                        status: ItemStatus::Pending,
                    })
                    .collect();
                self.agenda_adopted = true;
            }
            E::AgendaItemAdded { item, .. } => self.agenda.push(AgendaEntry {
                item,
                status: ItemStatus::Pending,
            }),
            E::AgendaReordered { order, .. } => {
                let mut entries = std::mem::take(&mut self.agenda);
                for n in order {
                    if let Some(i) = entries.iter().position(|e| e.item.number == n) {
                        self.agenda.push(entries.remove(i));
                    }
                }
                // Anything the order missed stays, rather than being silently lost.
                self.agenda.extend(entries);
            }
            E::AgendaItemDeferred { item, .. } => self.set_item_status(item, ItemStatus::Deferred),
            E::ItemTakenUp { item, .. } => {
                self.set_item_status(item, ItemStatus::UnderConsideration);
                self.current_item = Some(item);
            }
            E::ItemConcluded { item } => {
                self.set_item_status(item, ItemStatus::Concluded);
                self.current_item = None;
            }
            E::SpeakerInscribed { item, speaker, .. } => {
                self.speakers.entry(item).or_default().waiting.push(speaker)
            }
            E::SpeakerWithdrawn { item, speaker } => {
                let list = self.speakers.entry(item).or_default();
                list.waiting.retain(|s| *s != speaker);
            }
            E::SpeakerIdentified {
                item,
                state,
                delegate,
            } => {
                let gender = self
                    .delegations
                    .get(&state)
                    .and_then(|d| d.iter().find(|m| m.name == delegate))
                    .and_then(|m| m.gender);
                if self.unidentified.remove(&(item, state.clone())) {
                    let s = self.statements.entry(state).or_default();
                    *s.speakers.entry(gender_code(gender)).or_default() += 1;
                }
            }
            E::FloorGiven {
                item,
                speaker,
                right_of_reply,
                ..
            } => {
                match &speaker {
                    Speaker::State(s) => {
                        self.statements.entry(s.clone()).or_default().made += 1;
                        self.unidentified.insert((item, s.clone()));
                    }
                    _ => self.other_statements += 1,
                }
                let list = self.speakers.entry(item).or_default();
                if right_of_reply {
                    if let Speaker::State(s) = &speaker {
                        list.replies.retain(|r| r != s);
                    }
                } else {
                    list.waiting.retain(|s| *s != speaker);
                }
                list.floor = Some(speaker);
            }
            E::SpeakingTimeLimited { item, seconds } => {
                self.speakers.entry(item).or_default().time_limit_seconds = Some(seconds)
            }
            E::SpeakersListClosed { item } => self.speakers.entry(item).or_default().closed = true,
            E::RightOfReplyRequested { item, state } => {
                self.speakers.entry(item).or_default().replies.push(state)
            }
            E::PointOfOrderRaised { state, text, .. } => self.points_of_order.push(PointOfOrder {
                raised_by: state,
                text,
                ruling: None,
                status: PointStatus::AwaitingRuling,
            }),
            E::PointOfOrderRuled { point, ruling } => {
                if let Some(p) = self.point_mut(point) {
                    p.ruling = Some(ruling);
                    p.status = PointStatus::Ruled;
                }
            }
            E::RulingAppealed { point, .. } => {
                if let Some(p) = self.point_mut(point) {
                    p.status = PointStatus::Appealed;
                }
            }
            E::MotionMoved {
                kind,
                state,
                item,
                displaced,
                ..
            } => {
                for n in displaced {
                    self.set_motion_status(n, MotionStatus::Displaced);
                }
                self.motions.push(Motion {
                    kind,
                    mover: state,
                    item,
                    status: MotionStatus::Pending,
                });
            }
            E::MotionWithdrawn { motion, .. } => {
                self.set_motion_status(motion, MotionStatus::Withdrawn)
            }
            E::VotingOpened { question, .. } => {
                if let VoteOn::Motion { motion, .. } = &question {
                    self.set_motion_status(*motion, MotionStatus::UnderVote);
                }
                self.vote = Some(OpenVote {
                    question,
                    recorded: false,
                    ballots: BTreeMap::new(),
                });
            }
            E::RecordedVoteRequested { .. } => {
                if let Some(v) = &mut self.vote {
                    v.recorded = true;
                }
            }
            E::VoteCast { state, ballot } => {
                if let Some(v) = &mut self.vote {
                    v.ballots.insert(state, ballot);
                }
            }
            E::VoteConcluded {
                question, carried, ..
            } => {
                match question {
                    VoteOn::Motion { motion, .. } => {
                        let status = if carried {
                            MotionStatus::Carried
                        } else {
                            MotionStatus::Rejected
                        };
                        self.set_motion_status(motion, status);
                    }
                    VoteOn::Appeal { point } => {
                        if let Some(p) = self.point_mut(point) {
                            p.status = if carried {
                                PointStatus::Overturned
                            } else {
                                PointStatus::Upheld
                            };
                        }
                    }
                }
                self.vote = None;
            }
            E::DebateAdjourned { item, .. } => {
                self.set_item_status(item, ItemStatus::Pending);
                if self.current_item == Some(item) {
                    self.current_item = None;
                }
            }
            E::DebateClosed { item, .. } => {
                let list = self.speakers.entry(item).or_default();
                list.closed = true;
                list.waiting.clear();
            }
            E::ConsensusCalled {
                call,
                item,
                subject,
            } => {
                self.consensus = Some(ConsensusCall {
                    number: call,
                    item,
                    subject,
                    open: true,
                    objections: Vec::new(),
                    explanations: Vec::new(),
                    decision_number: None,
                })
            }
            E::ObjectionRaised { state, reason, .. } => {
                if let Some(c) = &mut self.consensus {
                    c.objections.push(ObjectionRecord {
                        state,
                        reason,
                        withdrawn: false,
                    });
                }
            }
            E::ObjectionWithdrawn { state, .. } => {
                if let Some(c) = &mut self.consensus {
                    for o in c.objections.iter_mut().filter(|o| o.state == state) {
                        o.withdrawn = true;
                    }
                }
            }
            E::PositionExplained {
                state,
                timing,
                text,
                dissociates_from,
                ..
            } => {
                if let Some(c) = &mut self.consensus {
                    c.explanations.push(Explanation {
                        state,
                        timing,
                        text,
                        dissociates_from,
                    });
                }
            }
            E::NoConsensusDeclared { .. } | E::ConsensusCallWithdrawn { .. } => {
                if let Some(c) = &mut self.consensus {
                    c.open = false;
                }
            }
            E::DecisionTaken {
                number,
                consensus_call,
                ..
            } => {
                self.decisions_taken = number;
                if let (Some(call), Some(c)) = (consensus_call, &mut self.consensus) {
                    if c.number == call {
                        c.open = false;
                        c.decision_number = Some(number);
                    }
                }
            }
            E::ProgrammeOfWorkAdopted { meetings, .. } => self.programme_of_work = meetings,
            E::DecisionCorrected {
                number,
                corrigendum,
                ..
            } => {
                self.corrigenda.insert(number, corrigendum);
            }
            // The record's, not the state's: the report reads them from the log.
            E::SummaryRecordKept { .. } | E::TextTranslated { .. } => {}
        }
    }
}

// What `apply` changes in place.
impl Meeting {
    fn set_item_status(&mut self, item: u32, status: ItemStatus) {
        if let Some(e) = self.agenda.iter_mut().find(|e| e.item.number == item) {
            e.status = status;
        }
    }

    fn point_mut(&mut self, point: u32) -> Option<&mut PointOfOrder> {
        self.points_of_order
            .get_mut((point as usize).checked_sub(1)?)
    }

    fn set_motion_status(&mut self, motion: u32, status: MotionStatus) {
        if let Some(m) = (motion as usize)
            .checked_sub(1)
            .and_then(|i| self.motions.get_mut(i))
        {
            m.status = status;
        }
    }
}
