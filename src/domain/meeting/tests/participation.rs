//! Delegations, observers, stakeholders, attendance and sponsorship.

use super::*;

#[test]
fn delegations_are_registered_for_member_states() {
    let members = vec![
        delegate("Head", Some(Gender::Female), true),
        delegate("Adviser", None, false),
    ];
    accepted(
        run(vec![convene()]),
        MeetingCommand::RegisterDelegation {
            state: s("NOR"),
            members: members.clone(),
        },
        vec![MeetingEvent::DelegationRegistered {
            state: s("NOR"),
            members,
        }],
    );
    refused(
        run(vec![convene()]),
        MeetingCommand::RegisterDelegation {
            state: s("DEU"),
            members: vec![delegate("X", None, true)],
        },
        "DEU is not a member of this body.",
    );
    refused(
        run(vec![convene()]),
        MeetingCommand::RegisterDelegation {
            state: s("NOR"),
            members: vec![],
        },
        "The delegation of NOR has no members.",
    );
    refused(
        run(vec![convene()]),
        MeetingCommand::RegisterDelegation {
            state: s("NOR"),
            members: vec![delegate("A", None, true), delegate("B", None, true)],
        },
        "The delegation of NOR names more than one head of delegation.",
    );
}

#[test]
fn observers_and_accredited_stakeholders_are_admitted_once() {
    accepted(
        run(vec![convene()]),
        register_icrc(),
        vec![MeetingEvent::ObserverAdmitted {
            observer_id: id("icrc"),
            name: t("ICRC"),
        }],
    );
    refused(
        run(vec![convene(), register_icrc()]),
        register_icrc(),
        "icrc is already registered for this meeting.",
    );
    accepted(
        run(vec![convene()]),
        register_ngo(true),
        vec![MeetingEvent::StakeholderAdmitted {
            organisation_id: id("ngo-1"),
            name: t("Cyber Peace Institute"),
            kind: StakeholderKind::CivilSociety,
            role: StakeholderRole::Participant,
        }],
    );
    refused(
        run(vec![convene()]),
        register_ngo(false),
        "ngo-1 is not accredited to this body; it can be invited once accredited.",
    );
    refused(
        run(vec![convene(), register_ngo(true)]),
        register_ngo(true),
        "ngo-1 is already registered for this meeting.",
    );
}

#[test]
fn presence_is_marked_and_counted() {
    accepted(
        run(vec![
            convene(),
            MeetingCommand::MarkPresent { state: s("NOR") },
        ]),
        MeetingCommand::MarkPresent { state: s("BRA") },
        vec![MeetingEvent::StateMarkedPresent {
            state: s("BRA"),
            states_present: 2,
        }],
    );
    accepted(
        opened(),
        MeetingCommand::MarkAbsent { state: s("BRA") },
        vec![MeetingEvent::StateMarkedAbsent {
            state: s("BRA"),
            states_present: 3,
        }],
    );
    refused(
        opened(),
        MeetingCommand::MarkPresent { state: s("BRA") },
        "BRA is already marked present.",
    );
    refused(
        opened(),
        MeetingCommand::MarkAbsent { state: s("USA") },
        "USA is not marked present.",
    );
    refused(
        opened(),
        MeetingCommand::MarkPresent { state: s("DEU") },
        "DEU is not a member of this body.",
    );
}

fn request_sponsorship() -> MeetingCommand {
    MeetingCommand::RequestSponsorship {
        request_id: id("sp-1"),
        expert: t("Dr. Expert"),
        state: s("KEN"),
        amount_usd: 4000,
    }
}

#[test]
fn sponsorship_is_requested_then_awarded_or_declined_once() {
    accepted(
        run(vec![convene()]),
        request_sponsorship(),
        vec![MeetingEvent::SponsorshipRequested {
            request_id: id("sp-1"),
            expert: t("Dr. Expert"),
            state: s("KEN"),
            amount_usd: 4000,
        }],
    );
    let requested = run(vec![convene(), request_sponsorship()]);
    accepted(
        requested.clone(),
        MeetingCommand::AwardSponsorship {
            request_id: id("sp-1"),
            fund_id: Some(id("sponsorship")),
        },
        vec![MeetingEvent::SponsorshipAwarded {
            request_id: id("sp-1"),
            expert: t("Dr. Expert"),
            state: s("KEN"),
            amount_usd: 4000,
            fund_id: Some(id("sponsorship")),
        }],
    );
    accepted(
        requested.clone(),
        MeetingCommand::DeclineSponsorship {
            request_id: id("sp-1"),
            reason: Some(t("Funds exhausted")),
        },
        vec![MeetingEvent::SponsorshipDeclined {
            request_id: id("sp-1"),
            reason: Some(t("Funds exhausted")),
        }],
    );
    refused(
        requested.clone(),
        request_sponsorship(),
        "sp-1 is already registered for this meeting.",
    );
    refused(
        run(vec![
            convene(),
            request_sponsorship(),
            MeetingCommand::AwardSponsorship {
                request_id: id("sp-1"),
                fund_id: None,
            },
        ]),
        MeetingCommand::DeclineSponsorship {
            request_id: id("sp-1"),
            reason: None,
        },
        "Sponsorship request sp-1 has already been decided.",
    );
    refused(
        requested,
        MeetingCommand::AwardSponsorship {
            request_id: id("sp-2"),
            fund_id: None,
        },
        "There is no sponsorship request sp-2.",
    );
    refused(
        run(vec![convene()]),
        MeetingCommand::RequestSponsorship {
            request_id: id("sp-1"),
            expert: t("Dr. Expert"),
            state: s("KEN"),
            amount_usd: 0,
        },
        "A sponsorship request must be for an amount above zero.",
    );
}
