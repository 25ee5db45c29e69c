//! Every command, sent by every kind of caller, is let through or refused exactly as
//! `app::permissions` says. The commands and their example bodies come from the OpenAPI
//! document, the rules from `app::permissions`; only what each rule means for a caller is
//! written here, so a rule changed in one place is checked in the other.

use reqwest::StatusCode;
use serde_json::Value;

use plenary::app::permissions::{rule_for, Rule};

use crate::helpers::{e2e_tests, TestApp};

/// A caller: role, scope and token.
struct Caller {
    role: &'static str,
    scope: Option<&'static str>,
    token: String,
}

/// What `rule` means for `c`, for a command with this `body` sent to `meeting`.
fn allowed(rule: Rule, c: &Caller, meeting: &str, fields: &Value) -> bool {
    let chair_of = |m: &str| c.role == "chair" && c.scope == Some(m);
    let delegate_of = |field: &str| {
        c.role == "delegate"
            && fields[field].as_str().is_some()
            && c.scope == fields[field].as_str()
    };
    match rule {
        Rule::Secretariat => c.role == "secretariat",
        Rule::Chair => chair_of(meeting),
        Rule::ChairOrSecretariat => c.role == "secretariat" || chair_of(meeting),
        Rule::DelegateOf(field) => delegate_of(field),
        Rule::DelegateOrSecretariat(field) => c.role == "secretariat" || delegate_of(field),
        Rule::Speaker => {
            let own = match c.role {
                "delegate" => fields["speaker"]["State"].as_str(),
                "observer" => fields["speaker"]["Observer"]
                    .as_str()
                    .or(fields["speaker"]["Stakeholder"].as_str()),
                _ => None,
            };
            c.role == "secretariat" || chair_of(meeting) || (own.is_some() && own == c.scope)
        }
        // The amendment does not exist here, so no delegate is its proposer.
        Rule::Tabling => {
            let named = fields["meeting_id"].as_str().unwrap_or_default();
            c.role == "secretariat" || chair_of(named)
        }
        Rule::Filer => {
            c.role == "secretariat"
                || (c.role == "delegate"
                    && fields["state"].as_str().is_some()
                    && c.scope == fields["state"].as_str())
                || (c.role == "observer"
                    && fields["organisation"].as_str().is_some()
                    && c.scope == fields["organisation"].as_str())
        }
        Rule::System => false,
    }
}

async fn every_command_is_refused_or_let_through_as_its_rule_says(app: TestApp) {
    let callers = vec![
        Caller {
            role: "secretariat",
            scope: None,
            token: app.token("secretariat", None).await,
        },
        Caller {
            role: "chair",
            scope: Some("m-1"),
            token: app.token("chair", Some("m-1")).await,
        },
        Caller {
            role: "chair",
            scope: Some("m-2"),
            token: app.token("chair", Some("m-2")).await,
        },
        Caller {
            role: "delegate",
            scope: Some("NOR"),
            token: app.token("delegate", Some("NOR")).await,
        },
        Caller {
            role: "delegate",
            scope: Some("BRA"),
            token: app.token("delegate", Some("BRA")).await,
        },
        Caller {
            role: "observer",
            scope: Some("icrc"),
            token: app.token("observer", Some("icrc")).await,
        },
        Caller {
            role: "auditor",
            scope: None,
            token: app.token("auditor", None).await,
        },
    ];
    let doc = plenary::api::openapi::build();
    let mut checked = 0;
    for (path, aggregate, target) in [
        ("/api/v1/meetings/{id}/commands", "Meeting", "m-1"),
        ("/api/v1/amendments/{id}/commands", "Amendment", "am-perm"),
        ("/api/v1/bodies/{id}/commands", "Body", "b-perm"),
        ("/api/v1/frameworks/{id}/commands", "Framework", "fw-perm"),
        (
            "/api/v1/contacts/{state}/commands",
            "PointsOfContact",
            "NOR",
        ),
    ] {
        let commands = doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]
            ["schema"]["oneOf"]
            .as_array()
            .unwrap_or_else(|| panic!("{path} documents its commands"));
        for c in commands {
            let name = c["title"].as_str().unwrap();
            let body = &c["examples"][0];
            let rule = rule_for(aggregate, name)
                .unwrap_or_else(|| panic!("{aggregate} {name} has no rule in app::permissions"));
            let documented = c["description"].as_str().unwrap_or_default();
            assert!(
                documented.contains(&rule.describe()),
                "{name}: the document says {documented:?}"
            );
            for caller in &callers {
                let url = path.replace("{id}", target).replace("{state}", target);
                let status = app.post(&url, &caller.token, body.clone()).await.status();
                let expect = allowed(rule, caller, target, &body[name]);
                assert_eq!(
                    status != StatusCode::FORBIDDEN,
                    expect,
                    "{aggregate} {name} by {} {:?}: {status} ({rule:?})",
                    caller.role,
                    caller.scope
                );
                assert!(!status.is_server_error(), "{name}: {status}");
                checked += 1;
            }
        }
    }
    assert!(checked > 300, "{checked} requests");
}

e2e_tests!(every_command_is_refused_or_let_through_as_its_rule_says);
