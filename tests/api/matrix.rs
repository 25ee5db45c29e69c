//! The authorization matrix: every route of the API × every role (and no token, and a revoked
//! token) × in scope and out of scope, on a log loaded with the demo scenario so that real ids
//! exist. A refused request is exactly 401 or 403, problem+json, and never moves the log head.

use std::collections::BTreeSet;

use plenary::api::openapi::ROUTES;
use plenary::app::access::Role;
use plenary::app::permissions::Access;
use plenary::demo;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{e2e_tests, TestApp};

e2e_tests!(
    every_route_refuses_every_caller_outside_its_role_and_scope,
    refusals_name_the_rule_that_applies,
);

/// Who is calling. The target meeting is `poa-pm-1`, the acting State is NOR and the
/// organisation is the demo's observer, `cyberpeace-institute`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    NoToken,
    /// A revoked admin credential.
    Revoked,
    Admin,
    Secretariat,
    Auditor,
    /// Chair of the target meeting.
    ChairIn,
    /// Chair of another meeting (poa-rc-1).
    ChairOut,
    /// Delegate of the acting State (NOR).
    DelegateIn,
    /// Delegate of another State (BRA).
    DelegateOut,
    /// Observer of the organisation concerned.
    ObserverIn,
    /// Observer of another organisation.
    ObserverOut,
}

const ALL: [Who; 11] = [
    Who::NoToken,
    Who::Revoked,
    Who::Admin,
    Who::Secretariat,
    Who::Auditor,
    Who::ChairIn,
    Who::ChairOut,
    Who::DelegateIn,
    Who::DelegateOut,
    Who::ObserverIn,
    Who::ObserverOut,
];

impl Who {
    /// A slug usable inside ids, so each caller's command names its own resource.
    fn slug(self) -> &'static str {
        match self {
            Who::NoToken => "none",
            Who::Revoked => "revoked",
            Who::Admin => "admin",
            Who::Secretariat => "sec",
            Who::Auditor => "aud",
            Who::ChairIn => "chair-in",
            Who::ChairOut => "chair-out",
            Who::DelegateIn => "del-in",
            Who::DelegateOut => "del-out",
            Who::ObserverIn => "obs-in",
            Who::ObserverOut => "obs-out",
        }
    }
}

impl Who {
    /// The role of the caller's credential (none without a valid one).
    fn role(self) -> Option<Role> {
        match self {
            Who::NoToken | Who::Revoked => None,
            Who::Admin => Some(Role::Admin),
            Who::Secretariat => Some(Role::Secretariat),
            Who::Auditor => Some(Role::Auditor),
            Who::ChairIn | Who::ChairOut => Some(Role::Chair),
            Who::DelegateIn | Who::DelegateOut => Some(Role::Delegate),
            Who::ObserverIn | Who::ObserverOut => Some(Role::Observer),
        }
    }
}

/// What a caller must get.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Exp {
    /// 2xx.
    Ok,
    /// Authorised: the answer depends on the state of the meeting (2xx, or a 409/422 from a
    /// rule of procedure), but is never 401/403/5xx.
    Permitted,
    Unauthorized,
    Forbidden,
}

type BodyFn = Box<dyn Fn(Who) -> Value + Send + Sync>;
type RuleFn = Box<dyn Fn(Who) -> Exp + Send + Sync>;

struct Case {
    method: Method,
    /// The route as in `openapi::ROUTES`.
    route: &'static str,
    path: String,
    body: Option<BodyFn>,
    rule: RuleFn,
    /// A never-ending response (server-sent events): check the status, do not read the body.
    streaming: bool,
}

fn public() -> RuleFn {
    Box::new(|_| Exp::Ok)
}

/// The public record: read with a credential or without one (a wrong token is refused).
fn public_record() -> RuleFn {
    Box::new(|w| match w {
        Who::Revoked => Exp::Unauthorized,
        _ => Exp::Ok,
    })
}

fn any_credential() -> RuleFn {
    Box::new(|w| match w {
        Who::NoToken | Who::Revoked => Exp::Unauthorized,
        _ => Exp::Ok,
    })
}

fn only(allowed: &'static [Who], then: Exp) -> RuleFn {
    Box::new(move |w| match w {
        Who::NoToken | Who::Revoked => Exp::Unauthorized,
        w if allowed.contains(&w) => then,
        _ => Exp::Forbidden,
    })
}

fn get(route: &'static str, path: impl Into<String>, rule: RuleFn) -> Case {
    Case {
        method: Method::GET,
        route,
        path: path.into(),
        body: None,
        rule,
        streaming: false,
    }
}

fn post(
    route: &'static str,
    path: impl Into<String>,
    body: impl Fn(Who) -> Value + Send + Sync + 'static,
    rule: RuleFn,
) -> Case {
    Case {
        method: Method::POST,
        route,
        path: path.into(),
        body: Some(Box::new(body)),
        rule,
        streaming: false,
    }
}

const PM: &str = demo::PERIODIC_MEETING;

fn insert_op(text: &str) -> Value {
    json!([{ "op": "insert_after", "after": "OP-5", "new_id": "OP-MX-1", "kind": "operative",
             "section": "capacity_building", "text": text }])
}

fn cases(revocable_id: &str) -> Vec<Case> {
    use Who::*;
    let meeting_cmds = "/api/v1/meetings/{id}/commands";
    let pm_cmds = format!("/api/v1/meetings/{PM}/commands");
    let am_cmds = "/api/v1/amendments/{id}/commands";
    vec![
        get("/health", "/health", public()),
        get("/ready", "/ready", public()),
        get("/openapi.json", "/openapi.json", public()),
        get("/docs", "/docs", public()),
        // Credentials: admin only.
        get(
            "/api/v1/credentials",
            "/api/v1/credentials",
            only(&[Admin], Exp::Ok),
        ),
        post(
            "/api/v1/credentials",
            "/api/v1/credentials",
            |w| json!({ "role": "auditor", "scope": null, "label": format!("matrix {}", w.slug()) }),
            only(&[Admin], Exp::Ok),
        ),
        Case {
            method: Method::DELETE,
            route: "/api/v1/credentials/{id}",
            path: format!("/api/v1/credentials/{revocable_id}"),
            body: None,
            rule: only(&[Admin], Exp::Ok),
            streaming: false,
        },
        // The log and the read models.
        get(
            "/api/v1/log/head",
            "/api/v1/log/head",
            only(&[Auditor, Secretariat, Admin], Exp::Ok),
        ),
        get(
            "/api/v1/log/checkpoints",
            "/api/v1/log/checkpoints",
            only(&[Auditor, Secretariat, Admin], Exp::Ok),
        ),
        get(
            "/api/v1/log/verify",
            "/api/v1/log/verify",
            only(&[Auditor, Admin], Exp::Ok),
        ),
        get(
            "/api/v1/projections",
            "/api/v1/projections",
            only(&[Auditor, Secretariat, Admin], Exp::Ok),
        ),
        get(
            "/api/v1/audit/events",
            "/api/v1/audit/events?meeting=poa-rc-1&limit=5",
            only(&[Auditor, Secretariat, Admin], Exp::Ok),
        ),
        get(
            "/api/v1/audit/events.csv",
            "/api/v1/audit/events.csv?meeting=poa-cd-1",
            only(&[Auditor, Secretariat, Admin], Exp::Ok),
        ),
        get(
            "/api/v1/audit/events/{position}",
            "/api/v1/audit/events/1",
            only(&[Auditor, Secretariat, Admin], Exp::Ok),
        ),
        Case {
            method: Method::GET,
            route: "/api/v1/stream",
            path: "/api/v1/stream?after=0".into(),
            body: None,
            rule: any_credential(),
            streaming: true,
        },
        // Points of contact: States, the secretariat and auditors read; a State keeps its own.
        get(
            "/api/v1/contacts",
            "/api/v1/contacts",
            only(&[DelegateIn, DelegateOut, Secretariat, Auditor], Exp::Ok),
        ),
        get(
            "/api/v1/contacts/{state}",
            "/api/v1/contacts/NOR",
            only(&[DelegateIn, DelegateOut, Secretariat, Auditor], Exp::Ok),
        ),
        post(
            "/api/v1/contacts/{state}/commands",
            "/api/v1/contacts/NOR/commands",
            |w| {
                json!({ "NominateContact": { "state": "NOR", "contact_id": format!("mx-{}", w.slug()),
                "role": "Technical", "name": "Matrix", "organisation": null,
                "channels": [{ "kind": "Email", "value": "mx@example.no" }] } })
            },
            only(&[DelegateIn, Secretariat], Exp::Ok),
        ),
        // The annex of regional initiatives: public record; the secretariat keeps it.
        get(
            "/api/v1/annexes/{id}",
            "/api/v1/annexes/poa",
            any_credential(),
        ),
        post(
            "/api/v1/annexes/{id}/commands",
            "/api/v1/annexes/poa/commands",
            |w| {
                json!({ "DraftEntry": { "entry_id": format!("mx-{}", w.slug()), "organisation": "OAS",
                "title": "Matrix", "description": "A regional initiative.", "links": [] } })
            },
            only(&[Secretariat], Exp::Ok),
        ),
        // Funding ledgers: read by any credential; kept by the secretariat.
        get("/api/v1/funds", "/api/v1/funds", any_credential()),
        get(
            "/api/v1/funds/{id}",
            "/api/v1/funds/poa-trust-fund",
            any_credential(),
        ),
        post(
            "/api/v1/funds/{id}/commands",
            "/api/v1/funds/poa-trust-fund/commands",
            |w| {
                json!({ "RecordEntry": { "entry_id": format!("mx-{}", w.slug()), "kind": "pledge",
                "donor": { "State": "NOR" }, "recipient": null, "amount": 1000,
                "purpose": "Matrix", "date": "2026-11-30" } })
            },
            only(&[Secretariat], Exp::Ok),
        ),
        // Reporting cycles: public; the secretariat sets the schedule.
        get(
            "/api/v1/reporting/{id}",
            "/api/v1/reporting/poa",
            any_credential(),
        ),
        post(
            "/api/v1/reporting/{id}/commands",
            "/api/v1/reporting/poa/commands",
            |_| {
                json!({ "SetSchedule": { "first_cycle_starts": "2026-01-01", "cycle_months": 12,
                "cohorts": [{ "name": "All", "states": ["NOR"] }], "questions": [] } })
            },
            only(&[Secretariat], Exp::Ok),
        ),
        // Submissions: the demo's published Norway views.
        get(
            "/api/v1/submissions",
            "/api/v1/submissions",
            any_credential(),
        ),
        get(
            "/api/v1/search",
            "/api/v1/search?q=digitalized",
            any_credential(),
        ),
        get(
            "/api/v1/submissions/{id}",
            "/api/v1/submissions/nor-views-71-28",
            any_credential(),
        ),
        post(
            "/api/v1/submissions/{id}/commands",
            "/api/v1/submissions/nor-views-71-28/commands",
            |_| {
                json!({ "AddLanguageVersion": { "state": "NOR", "language": "fr", "text": "Vues de la Norvège.",
                "origin": "machine", "of_revision": 1 } })
            },
            only(&[DelegateIn, Secretariat], Exp::Ok),
        ),
        // Attachments: the published views' file is read by anyone; a published text takes
        // no more files, so its filer and the secretariat are answered 409.
        get(
            "/api/v1/submissions/{id}/attachments/{sha256}",
            format!(
                "/api/v1/submissions/nor-views-71-28/attachments/{}",
                plenary::domain::values::ContentHash::of(demo::NORWAY_VIEWS.as_bytes())
            ),
            any_credential(),
        ),
        post(
            "/api/v1/submissions/{id}/attachments",
            "/api/v1/submissions/nor-views-71-28/attachments?name=matrix.json",
            |w| json!({ "matrix": w.slug() }),
            only(&[DelegateIn, Secretariat], Exp::Permitted),
        ),
        // Capacity building; participation over time.
        get("/api/v1/capacity", "/api/v1/capacity", any_credential()),
        get(
            "/api/v1/participation",
            "/api/v1/participation?body=poa",
            any_credential(),
        ),
        post(
            "/api/v1/capacity/requests/{id}/commands",
            "/api/v1/capacity/requests/mx-req/commands",
            |_| {
                json!({ "FileRequest": { "request_id": "mx-req", "state": "NOR", "area": "capacity_building",
                "gap_analysis": null, "priority": "Low", "modality": "Training", "language": "en",
                "region": "Europe", "needed_by": null, "description": "Matrix" } })
            },
            only(&[DelegateIn, Secretariat], Exp::Permitted),
        ),
        post(
            "/api/v1/capacity/offers/{id}/commands",
            "/api/v1/capacity/offers/mx-off/commands",
            |_| {
                json!({ "MakeOffer": { "offer_id": "mx-off", "state": "NOR", "areas": ["capacity_building"],
                "modalities": ["Training"], "languages": ["en"], "regions": [], "capacity": 1,
                "description": "Matrix" } })
            },
            only(&[DelegateIn, Secretariat], Exp::Permitted),
        ),
        // The document registry.
        get("/api/v1/documents", "/api/v1/documents", any_credential()),
        post(
            "/api/v1/documents/commands",
            "/api/v1/documents/commands",
            |_| {
                json!({ "IssueDocument": { "body_id": "poa", "prefix": "PoA/MX/2026", "series": "Crp",
                "title": "Matrix", "distribution": "General", "language": "en", "links": [] } })
            },
            only(&[Secretariat], Exp::Permitted),
        ),
        // Bodies.
        get("/api/v1/bodies", "/api/v1/bodies", any_credential()),
        get(
            "/api/v1/bodies/{id}",
            "/api/v1/bodies/poa",
            any_credential(),
        ),
        post(
            "/api/v1/bodies/{id}/commands",
            "/api/v1/bodies/poa/commands",
            |w| {
                json!({ "RegisterStakeholder": { "organisation_id": format!("mx-org-{}", w.slug()),
                "name": "Matrix Institute", "kind": "Academia", "already_accredited": true } })
            },
            only(&[Secretariat], Exp::Ok),
        ),
        post(
            "/api/v1/bodies/{id}/commands",
            "/api/v1/bodies/poa/commands",
            |_| {
                json!({ "ObjectToAccreditation": { "organisation_id": "acme-security", "state": "NOR",
                "reason": "Not yet." } })
            },
            only(&[DelegateIn], Exp::Ok),
        ),
        // Meetings (the target is poa-pm-1, convened, not yet open).
        get(
            "/api/v1/meetings",
            "/api/v1/meetings?body=poa",
            any_credential(),
        ),
        get(
            "/api/v1/meetings/{id}",
            format!("/api/v1/meetings/{PM}"),
            any_credential(),
        ),
        get(
            "/api/v1/meetings/{id}/agenda",
            format!("/api/v1/meetings/{PM}/agenda"),
            any_credential(),
        ),
        get(
            "/api/v1/meetings/{id}/participation",
            format!("/api/v1/meetings/{PM}/participation"),
            any_credential(),
        ),
        post(
            meeting_cmds,
            pm_cmds.clone(),
            |w| json!({ "RegisterObserver": { "observer_id": format!("mx-obs-{}", w.slug()), "name": "Holy See" } }),
            only(&[Secretariat], Exp::Ok),
        ),
        post(
            meeting_cmds,
            pm_cmds.clone(),
            |w| {
                let state = match w {
                    Who::ChairIn => "NOR",
                    Who::Secretariat => "BRA",
                    _ => "DEU",
                };
                json!({ "MarkPresent": { "state": state } })
            },
            only(&[ChairIn, Secretariat], Exp::Ok),
        ),
        post(
            meeting_cmds,
            pm_cmds.clone(),
            |w| {
                json!({ "RequestSponsorship": { "request_id": format!("mx-sp-{}", w.slug()),
                "expert": "Dr. Matrix", "state": "NOR", "amount_usd": 1000 } })
            },
            only(&[DelegateIn, Secretariat], Exp::Ok),
        ),
        post(
            meeting_cmds,
            pm_cmds.clone(),
            |_| json!({ "AwardSponsorship": { "request_id": "mx-sp-del-in" } }),
            only(&[Secretariat], Exp::Ok),
        ),
        post(
            meeting_cmds,
            pm_cmds.clone(),
            |_| json!({ "RaiseObjection": { "state": "NOR", "reason": null } }),
            only(&[DelegateIn], Exp::Permitted),
        ),
        post(
            meeting_cmds,
            pm_cmds.clone(),
            |_| json!({ "MoveMotion": { "state": "NOR", "kind": "SuspendMeeting" } }),
            only(&[DelegateIn], Exp::Permitted),
        ),
        post(
            meeting_cmds,
            pm_cmds.clone(),
            |_| json!({ "Open": {} }),
            only(&[ChairIn], Exp::Permitted),
        ),
        post(
            meeting_cmds,
            pm_cmds.clone(),
            |_| json!({ "SetSpeakingTime": { "item": 1, "seconds": 120 } }),
            only(&[ChairIn], Exp::Permitted),
        ),
        post(
            meeting_cmds,
            pm_cmds.clone(),
            |_| {
                json!({ "IssueProvisionalAgenda": { "items": [
                { "number": 1, "title": "Opening", "nature": "Procedural", "documents": [] } ] } })
            },
            only(&[ChairIn, Secretariat], Exp::Permitted),
        ),
        post(
            meeting_cmds,
            pm_cmds.clone(),
            |_| json!({ "InscribeSpeaker": { "item": 1, "speaker": { "State": "NOR" } } }),
            only(&[DelegateIn, ChairIn, Secretariat], Exp::Permitted),
        ),
        post(
            meeting_cmds,
            pm_cmds.clone(),
            |_| json!({ "InscribeSpeaker": { "item": 1, "speaker": { "Stakeholder": "cyberpeace-institute" } } }),
            only(&[ObserverIn, ChairIn, Secretariat], Exp::Permitted),
        ),
        post(
            meeting_cmds,
            pm_cmds.clone(),
            |w| {
                json!({ "Convene": { "meeting_id": format!("mx-m-{}", w.slug()), "body_id": "poa",
                "kind": "IntersessionalMeeting", "symbol": "PoA/IS.1/2027", "title": "Intersessional",
                "starts": "2027-03-01", "ends": "2027-03-03", "venue": "Geneva",
                "chair": { "name": "Ambassador X", "state": "NOR" }, "programme_link": null } })
            },
            only(&[Secretariat], Exp::Permitted),
        ),
        // The decisions register and the framework.
        get("/api/v1/decisions", "/api/v1/decisions", any_credential()),
        get(
            "/api/v1/decisions.csv",
            "/api/v1/decisions.csv",
            any_credential(),
        ),
        get(
            "/api/v1/meetings/{id}/report",
            "/api/v1/meetings/poa-rc-1/report",
            any_credential(),
        ),
        get(
            "/api/v1/meetings/{id}/report.html",
            "/api/v1/meetings/poa-rc-1/report.html?lang=zh",
            any_credential(),
        ),
        get(
            "/api/v1/meetings/{id}/report.pdf",
            "/api/v1/meetings/poa-rc-1/report.pdf?lang=ar",
            any_credential(),
        ),
        get(
            "/api/v1/meetings/{id}/report.docx",
            "/api/v1/meetings/poa-rc-1/report.docx?lang=fr",
            any_credential(),
        ),
        get(
            "/api/v1/decisions.html",
            "/api/v1/decisions.html?lang=ar",
            any_credential(),
        ),
        get(
            "/api/v1/documents/record.html",
            "/api/v1/documents/record.html?symbol=PoA/RC.1/2026/1&lang=fr",
            any_credential(),
        ),
        get(
            "/api/v1/documents/record.pdf",
            "/api/v1/documents/record.pdf?symbol=A/RES/77/37",
            any_credential(),
        ),
        get(
            "/api/v1/documents/record.docx",
            "/api/v1/documents/record.docx?symbol=PoA/RC.1/2026/INF.1&lang=ru",
            any_credential(),
        ),
        get(
            "/api/v1/decisions.pdf",
            "/api/v1/decisions.pdf?meeting=poa-rc-1",
            any_credential(),
        ),
        get(
            "/api/v1/decisions.docx",
            "/api/v1/decisions.docx?lang=ru",
            any_credential(),
        ),
        get(
            "/api/v1/frameworks/{id}/declaration.pdf",
            "/api/v1/frameworks/poa/declaration.pdf?lang=zh",
            any_credential(),
        ),
        get(
            "/api/v1/frameworks/{id}/declaration.docx",
            "/api/v1/frameworks/poa/declaration.docx?lang=es",
            any_credential(),
        ),
        get(
            "/api/v1/participation.csv",
            "/api/v1/participation.csv",
            any_credential(),
        ),
        get(
            "/api/v1/frameworks/{id}/declaration.html",
            "/api/v1/frameworks/poa/declaration.html",
            any_credential(),
        ),
        get(
            "/api/v1/frameworks/{id}",
            "/api/v1/frameworks/poa",
            any_credential(),
        ),
        get(
            "/api/v1/frameworks/{id}/diff",
            "/api/v1/frameworks/poa/diff?from=1",
            any_credential(),
        ),
        post(
            "/api/v1/frameworks/{id}/commands",
            "/api/v1/frameworks/poa/commands",
            |_| {
                json!({ "AddTranslation": { "paragraph": "OP-3", "language": "es", "origin": "human",
                "of_version": 1, "text": "Invita a los Estados a compartir sus posiciones nacionales;" } })
            },
            only(&[Secretariat], Exp::Ok),
        ),
        // Recorded by the system itself: nobody may send it.
        post(
            "/api/v1/frameworks/{id}/commands",
            "/api/v1/frameworks/poa/commands",
            |_| json!({ "ApplyAdoptedAmendment": {} }),
            only(&[], Exp::Forbidden),
        ),
        // Amendments.
        get("/api/v1/amendments", "/api/v1/amendments", any_credential()),
        get(
            "/api/v1/amendments/{id}",
            "/api/v1/amendments/poa-am-nor-1",
            any_credential(),
        ),
        Case {
            method: Method::POST,
            route: am_cmds,
            path: String::new(), // per caller, below
            body: Some(Box::new(|w| {
                json!({ "Propose": { "framework_id": "poa", "proposer": "NOR", "co_sponsors": [],
                    "title": format!("Matrix {}", w.slug()), "base_version": 3,
                    "operations": insert_op("Decides to hold a matrix;") } })
            })),
            rule: only(&[DelegateIn], Exp::Ok),
            streaming: false,
        },
        post(
            am_cmds,
            "/api/v1/amendments/mx-am-bra/commands",
            |_| json!({ "CoSponsor": { "state": "NOR" } }),
            only(&[DelegateIn], Exp::Ok),
        ),
        post(
            am_cmds,
            "/api/v1/amendments/mx-am-nor-a/commands",
            |_| json!({ "Table": { "meeting_id": PM, "agenda_item": 1 } }),
            only(&[DelegateIn, ChairIn, Secretariat], Exp::Permitted),
        ),
        post(
            am_cmds,
            "/api/v1/amendments/mx-am-bra/commands",
            |_| json!({ "Table": { "meeting_id": PM, "agenda_item": 1 } }),
            // The proposer here is Brazil: Norway's delegate is out of scope.
            only(&[DelegateOut, ChairIn, Secretariat], Exp::Permitted),
        ),
        post(
            am_cmds,
            "/api/v1/amendments/mx-am-nor-b/commands",
            |_| json!({ "Withdraw": { "by": "NOR" } }),
            only(&[DelegateIn], Exp::Ok),
        ),
        post(
            am_cmds,
            "/api/v1/amendments/mx-am-nor-a/commands",
            |_| {
                json!({ "Revise": { "by": "NOR", "title": null, "base_version": 3,
                "operations": insert_op("Decides to hold a revised matrix;") } })
            },
            only(&[DelegateIn], Exp::Ok),
        ),
        post(
            am_cmds,
            "/api/v1/amendments/poa-am-bra-1/commands",
            |_| json!({ "MarkNotAdopted": { "meeting_id": "poa-rc-1", "date": "2026-11-25" } }),
            only(&[], Exp::Forbidden),
        ),
    ]
}

async fn every_route_refuses_every_caller_outside_its_role_and_scope(app: TestApp) {
    let (t, _) = app.load_demo().await;
    // Callers not in the demo: another organisation's observer, a revoked admin.
    let observer_out = app.token("observer", Some("icrc")).await;
    let revoked = app.token("admin", None).await;
    let list: Value = app
        .get("/api/v1/credentials", &app.admin)
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<(String, String)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_owned(),
                c["label"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let revoked_id = ids
        .iter()
        .rev()
        .find(|(_, l)| l == "admin")
        .unwrap()
        .0
        .clone();
    let r = app
        .req(
            Method::DELETE,
            &format!("/api/v1/credentials/{revoked_id}"),
            Some(&app.admin),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    // A throwaway credential for the admin to revoke in the matrix.
    app.token("auditor", None).await;
    let list: Value = app
        .get("/api/v1/credentials", &app.admin)
        .await
        .json()
        .await
        .unwrap();
    let revocable = list
        .as_array()
        .unwrap()
        .iter()
        .rfind(|c| c["label"] == "auditor" && c["revoked_at_us"].is_null())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Amendments for the amendment commands: Brazil's, and two of Norway's.
    let http = app.http();
    for (id, state) in [
        ("mx-am-bra", "BRA"),
        ("mx-am-nor-a", "NOR"),
        ("mx-am-nor-b", "NOR"),
    ] {
        let (status, v) = demo::Client::send(
            &http,
            "POST",
            &format!("/api/v1/amendments/{id}/commands"),
            &t.delegates[state],
            Some(
                json!({ "Propose": { "framework_id": "poa", "proposer": state,
                "co_sponsors": [], "title": format!("Setup {id}"), "base_version": 3,
                "operations": insert_op("Decides to set up;") } }),
            ),
        )
        .await
        .unwrap();
        assert_eq!(status, 200, "{v}");
    }
    app.settle().await;

    let token = |w: Who| -> Option<String> {
        Some(match w {
            Who::NoToken => return None,
            Who::Revoked => revoked.clone(),
            Who::Admin => t.admin.clone(),
            Who::Secretariat => t.secretariat.clone(),
            Who::Auditor => t.auditor.clone(),
            Who::ChairIn => t.chairs[PM].clone(),
            Who::ChairOut => t.chairs[demo::REVIEW_CONFERENCE].clone(),
            Who::DelegateIn => t.delegates["NOR"].clone(),
            Who::DelegateOut => t.delegates["BRA"].clone(),
            Who::ObserverIn => t.observer.clone(),
            Who::ObserverOut => observer_out.clone(),
        })
    };

    let mut cases = cases(&revocable);
    // Who may read the public record is stated once, in openapi::ROUTES.
    for c in &mut cases {
        let public = ROUTES.iter().any(|r| {
            r.path == c.route
                && r.method.eq_ignore_ascii_case(c.method.as_str())
                && r.who == plenary::api::openapi::PUBLIC_RECORD
        });
        if public {
            c.rule = public_record();
        }
    }

    // A read the document restricts to roles (app::permissions, the value its handler
    // checks) is expected here to answer those roles and refuse the others.
    for c in &cases {
        let documented = ROUTES
            .iter()
            .find(|r| r.path == c.route && r.method.eq_ignore_ascii_case(c.method.as_str()));
        if let Some(Access::Roles(roles)) = documented.map(|r| r.who) {
            for w in ALL {
                if let Some(role) = w.role() {
                    let allowed = matches!((c.rule)(w), Exp::Ok | Exp::Permitted);
                    assert_eq!(
                        allowed,
                        roles.contains(&role),
                        "{} {} as {w:?}: the document says {}",
                        c.method,
                        c.route,
                        Access::Roles(roles).describe()
                    );
                }
            }
        }
    }

    // The table covers every route of openapi::ROUTES.
    let covered: BTreeSet<(String, String)> = cases
        .iter()
        .map(|c| (c.method.as_str().to_owned(), c.route.to_owned()))
        .collect();
    for r in ROUTES {
        let key = (r.method.to_uppercase(), r.path.to_owned());
        assert!(covered.contains(&key), "the matrix misses {key:?}");
    }
    // And every route the router serves (generated from the handlers' #[utoipa::path]).
    let served = plenary::api::openapi::served();
    assert!(served.len() >= ROUTES.len(), "{served:?}");
    for (method, path) in served {
        let key = (method.to_uppercase(), path);
        assert!(covered.contains(&key), "the matrix misses {key:?} (served)");
    }

    let mut failures = Vec::new();
    let mut checked = 0;
    for case in &cases {
        for w in ALL {
            let exp = (case.rule)(w);
            let path = if case.path.is_empty() {
                format!("/api/v1/amendments/mx-am-{}/commands", w.slug())
            } else {
                case.path.clone()
            };
            let body = case.body.as_ref().map(|b| b(w));
            let before = app.head().await;
            let mut req = app.req(case.method.clone(), &path, token(w).as_deref());
            if let Some(b) = &body {
                req = req.json(b);
            }
            let res = req.send().await.unwrap();
            let status = res.status();
            let ct = crate::helpers::content_type(&res);
            let text = if case.streaming {
                drop(res);
                String::new()
            } else {
                res.text().await.unwrap()
            };
            let after = app.head().await;
            checked += 1;
            let what = format!(
                "{w:?} {} {path} {}: {status} {text}",
                case.method,
                body.map(|b| b.to_string()).unwrap_or_default()
            );
            let ok = match exp {
                Exp::Ok => status.is_success(),
                Exp::Permitted => {
                    status.is_success()
                        || (status.is_client_error()
                            && status != StatusCode::UNAUTHORIZED
                            && status != StatusCode::FORBIDDEN)
                }
                Exp::Unauthorized => status == StatusCode::UNAUTHORIZED,
                Exp::Forbidden => status == StatusCode::FORBIDDEN,
            };
            if !ok {
                failures.push(format!("expected {exp:?}: {what}"));
            }
            if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) {
                if ct != "application/problem+json" {
                    failures.push(format!("not problem+json ({ct}): {what}"));
                }
                if after != before {
                    failures.push(format!("log head moved {before} -> {after}: {what}"));
                }
            }
            if status.is_server_error() {
                failures.push(format!("5xx: {what}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} requests broke the matrix:\n{}",
        failures.len(),
        failures.join("\n")
    );

    // Scope also governs what a read shows: delegates' personal data only to the secretariat,
    // auditors, admins and the chair of that meeting.
    let rc = demo::REVIEW_CONFERENCE;
    for (w, entitled) in [
        (Who::Secretariat, true),
        (Who::Auditor, true),
        (Who::Admin, true),
        (Who::ChairOut, true), // chair of poa-rc-1
        (Who::ChairIn, false), // chair of poa-pm-1
        (Who::DelegateIn, false),
        (Who::ObserverIn, false),
    ] {
        let tok = token(w).unwrap();
        let m: Value = app
            .get(&format!("/api/v1/meetings/{rc}"), &tok)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            m["state"].get("delegations").is_some(),
            entitled,
            "{w:?} delegations of {rc}"
        );
        assert_eq!(
            m["state"].get("sponsorships").is_some(),
            entitled,
            "{w:?} sponsorships of {rc}"
        );
        let p: Value = app
            .get(&format!("/api/v1/meetings/{rc}/participation"), &tok)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            !p["delegates_by_state"].is_null(),
            entitled,
            "{w:?} participation of {rc}"
        );
    }

    // Nothing refused left a trace, and the log is intact.
    let v: Value = app
        .get("/api/v1/log/verify", &t.auditor)
        .await
        .json()
        .await
        .unwrap();
    assert!(v["problem"].is_null(), "{v}");
}

/// Refusals say the rule that applies: a delegate putting another State on the list of
/// speakers is told it speaks for its own State only (not that only the chair may act), and
/// an auditor is "an auditor".
async fn refusals_name_the_rule_that_applies(app: TestApp) {
    let bra = app.token("delegate", Some("BRA")).await;
    let r = app
        .post(
            "/api/v1/meetings/m-1/commands",
            &bra,
            serde_json::json!({ "InscribeSpeaker": { "item": 1, "speaker": { "State": "NOR" } } }),
        )
        .await;
    let p = crate::helpers::problem(r, StatusCode::FORBIDDEN).await;
    let detail = p["detail"].as_str().unwrap();
    assert!(detail.contains("you speak for BRA"), "{detail}");
    assert_eq!(p["field"], "speaker");
    let auditor = app.token("auditor", None).await;
    let r = app
        .post(
            "/api/v1/meetings/m-1/commands",
            &auditor,
            serde_json::json!({ "Convene": {} }),
        )
        .await;
    let p = crate::helpers::problem(r, StatusCode::FORBIDDEN).await;
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .starts_with("an auditor credential"),
        "{p}"
    );
}
