//! Rules of procedure as data. The defaults are those of the General Assembly's Main Committees
//! (A/520, rules 106-133); a body may change them by decision, so nothing here is a constant
//! of the process.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A share of a total: "a quarter of the members", "more than half of those voting".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fraction {
    pub numerator: u32,
    pub denominator: u32,
    /// A majority is strictly more than one half, so a tie does not reach it.
    pub strictly_more: bool,
}

impl Fraction {
    pub const fn at_least(numerator: u32, denominator: u32) -> Self {
        Self {
            numerator,
            denominator,
            strictly_more: false,
        }
    }

    pub const fn more_than(numerator: u32, denominator: u32) -> Self {
        Self {
            numerator,
            denominator,
            strictly_more: true,
        }
    }

    /// The smallest whole number that satisfies the fraction of `total`.
    pub fn required(&self, total: u32) -> u32 {
        let scaled = u64::from(total) * u64::from(self.numerator);
        let d = u64::from(self.denominator.max(1));
        let n = if self.strictly_more {
            scaled / d + 1
        } else {
            scaled.div_ceil(d)
        };
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    pub fn check(&self) -> Result<(), String> {
        if self.denominator == 0 {
            return Err(format!("{self} has a zero denominator"));
        }
        if self.numerator > self.denominator
            || (self.strictly_more && self.numerator == self.denominator)
        {
            return Err(format!("{self} can never be reached"));
        }
        Ok(())
    }
}

impl fmt::Display for Fraction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.strictly_more {
            write!(f, "more than {}/{}", self.numerator, self.denominator)
        } else {
            write!(f, "{}/{}", self.numerator, self.denominator)
        }
    }
}

/// Who a procedural majority is counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MajorityBasis {
    /// Yes + No only: abstaining members are not "voting" (rule 126).
    PresentAndVoting,
    /// Every member State present, abstaining or not.
    Present,
    /// Every member of the body.
    Members,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProceduralMajority {
    pub basis: MajorityBasis,
    pub fraction: Fraction,
}

impl Default for ProceduralMajority {
    /// Rules 125-126 and 133: majority of members present and voting; a tie rejects.
    fn default() -> Self {
        Self {
            basis: MajorityBasis::PresentAndVoting,
            fraction: Fraction::more_than(1, 2),
        }
    }
}

/// A count of votes cast.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub yes: u32,
    pub no: u32,
    pub abstain: u32,
}

impl ProceduralMajority {
    /// Yes votes needed; never zero, so a question nobody supports is never carried.
    pub fn yes_needed(&self, tally: &Tally, present: u32, members: u32) -> u32 {
        let base = match self.basis {
            MajorityBasis::PresentAndVoting => tally.yes + tally.no,
            MajorityBasis::Present => present,
            MajorityBasis::Members => members,
        };
        self.fraction.required(base).max(1)
    }

    pub fn is_carried(&self, tally: &Tally, present: u32, members: u32) -> bool {
        tally.yes >= self.yes_needed(tally, present, members)
    }
}

/// The procedural motions of rule 119.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum MotionKind {
    SuspendMeeting,
    AdjournMeeting,
    AdjournDebate,
    CloseDebate,
}

impl MotionKind {
    pub const ALL: [MotionKind; 4] = [
        MotionKind::SuspendMeeting,
        MotionKind::AdjournMeeting,
        MotionKind::AdjournDebate,
        MotionKind::CloseDebate,
    ];
}

impl fmt::Display for MotionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MotionKind::SuspendMeeting => "suspend the meeting",
            MotionKind::AdjournMeeting => "adjourn the meeting",
            MotionKind::AdjournDebate => "adjourn the debate",
            MotionKind::CloseDebate => "close the debate",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesOfProcedure {
    /// Members present needed to declare a meeting open (rule 108: a quarter).
    pub quorum_to_open: Fraction,
    /// Members present needed for any decision (rule 108: a majority).
    pub quorum_to_decide: Fraction,
    pub procedural_majority: ProceduralMajority,
    /// Highest precedence first (rule 119).
    pub motion_precedence: Vec<MotionKind>,
}

impl Default for RulesOfProcedure {
    fn default() -> Self {
        Self {
            quorum_to_open: Fraction::at_least(1, 4),
            quorum_to_decide: Fraction::more_than(1, 2),
            procedural_majority: ProceduralMajority::default(),
            motion_precedence: MotionKind::ALL.to_vec(),
        }
    }
}

impl RulesOfProcedure {
    pub fn check(&self) -> Result<(), String> {
        self.quorum_to_open
            .check()
            .map_err(|e| format!("quorum to open: {e}"))?;
        self.quorum_to_decide
            .check()
            .map_err(|e| format!("quorum to decide: {e}"))?;
        self.procedural_majority
            .fraction
            .check()
            .map_err(|e| format!("procedural majority: {e}"))?;
        for (i, m) in self.motion_precedence.iter().enumerate() {
            if self.motion_precedence[..i].contains(m) {
                return Err(format!(
                    "the motion to {m} is listed twice in the order of precedence"
                ));
            }
        }
        Ok(())
    }

    /// Position in the order of precedence (0 = highest), or None if the rules do not provide
    /// for the motion.
    pub fn precedence_of(&self, kind: MotionKind) -> Option<usize> {
        self.motion_precedence.iter().position(|m| *m == kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quorum_figures_match_rule_108() {
        let rules = RulesOfProcedure::default();
        assert_eq!(rules.quorum_to_open.required(193), 49);
        assert_eq!(rules.quorum_to_open.required(4), 1);
        assert_eq!(rules.quorum_to_decide.required(193), 97);
        assert_eq!(rules.quorum_to_decide.required(4), 3);
    }

    #[test]
    fn a_tie_rejects_and_abstentions_do_not_count() {
        let m = ProceduralMajority::default();
        let tie = Tally {
            yes: 10,
            no: 10,
            abstain: 50,
        };
        assert!(!m.is_carried(&tie, 70, 193));
        let carried = Tally {
            yes: 11,
            no: 10,
            abstain: 150,
        };
        assert!(m.is_carried(&carried, 171, 193));
        let nobody = Tally {
            yes: 0,
            no: 0,
            abstain: 5,
        };
        assert!(!m.is_carried(&nobody, 5, 193));
    }

    #[test]
    fn other_majorities_count_abstentions_or_all_members() {
        let present = ProceduralMajority {
            basis: MajorityBasis::Present,
            fraction: Fraction::more_than(1, 2),
        };
        let t = Tally {
            yes: 11,
            no: 10,
            abstain: 10,
        };
        assert!(!present.is_carried(&t, 31, 193));
        assert_eq!(present.yes_needed(&t, 31, 193), 16);
        let two_thirds_of_members = ProceduralMajority {
            basis: MajorityBasis::Members,
            fraction: Fraction::at_least(2, 3),
        };
        assert_eq!(two_thirds_of_members.yes_needed(&t, 31, 193), 129);
    }

    #[test]
    fn rules_are_checked() {
        assert!(RulesOfProcedure::default().check().is_ok());
        let r = RulesOfProcedure {
            quorum_to_open: Fraction::at_least(1, 0),
            ..RulesOfProcedure::default()
        };
        assert!(r.check().is_err());
        let mut r = RulesOfProcedure::default();
        r.motion_precedence.push(MotionKind::SuspendMeeting);
        assert!(r.check().is_err());
        let mut r = RulesOfProcedure::default();
        r.procedural_majority.fraction = Fraction::more_than(1, 1);
        assert!(r.check().is_err());
    }
}
