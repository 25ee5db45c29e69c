//! The demo scenario of DOMAIN.md, driven through the HTTP API exactly as a client would
//! (same routes, JSON, credentials and rules), so loading it is itself an end-to-end test.
//!
//! The 54 co-sponsors establish the Programme; the secretariat convenes a consultative day and
//! the first review conference; the chair adopts the agenda; Norway and others propose
//! amendments: one is adopted after an objection is raised and withdrawn, one fails for lack of
//! consensus, one is put in conflict by the first adoption and then revised and adopted; a
//! procedural motion to adjourn is put to the vote; the conference adopts a programme of work
//! that schedules periodic meetings, and the first one is convened under it.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{json, Value};

use crate::store::clock::Clock;

/// Sends one HTTP request and returns (status, JSON body).
#[async_trait::async_trait]
pub trait Client: Send + Sync {
    async fn send(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Result<(u16, Value), String>;

    /// POSTs `bytes` as the body, of media type `content_type` (a file upload).
    async fn upload(
        &self,
        path: &str,
        token: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<(u16, Value), String>;
}

/// The router itself, called in-process with real HTTP requests (used by `serve --demo`).
pub struct InProcess(pub axum::Router);

#[async_trait::async_trait]
impl Client for InProcess {
    async fn send(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Result<(u16, Value), String> {
        match body {
            Some(b) => {
                self.exchange(
                    method,
                    path,
                    token,
                    Some("application/json"),
                    b.to_string().into_bytes(),
                )
                .await
            }
            None => self.exchange(method, path, token, None, vec![]).await,
        }
    }

    async fn upload(
        &self,
        path: &str,
        token: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<(u16, Value), String> {
        self.exchange("POST", path, token, Some(content_type), bytes)
            .await
    }
}

impl InProcess {
    async fn exchange(
        &self,
        method: &str,
        path: &str,
        token: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Result<(u16, Value), String> {
        use tower::ServiceExt;
        let mut req = axum::http::Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", format!("Bearer {token}"));
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let req = req
            .body(axum::body::Body::from(body))
            .map_err(|e| e.to_string())?;
        let res = self
            .0
            .clone()
            .oneshot(req)
            .await
            .map_err(|e| e.to_string())?;
        let status = res.status().as_u16();
        let bytes = axum::body::to_bytes(res.into_body(), 16 * 1024 * 1024)
            .await
            .map_err(|e| e.to_string())?;
        let v = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or(Value::Null)
        };
        Ok((status, v))
    }
}

/// The 54 co-sponsors of the PoA proposal (footnote 2 of the working paper).
pub const CO_SPONSORS: [&str; 54] = [
    "ARG", "AUS", "AUT", "BEL", "BGR", "CAN", "CHL", "COL", "HRV", "CYP", "CZE", "DNK", "ECU",
    "EGY", "EST", "FRA", "FIN", "GAB", "GEO", "DEU", "GRC", "GTM", "HUN", "ISL", "IRL", "ITA",
    "JPN", "LVA", "LBN", "LIE", "LTU", "LUX", "MLT", "MCO", "MNE", "MAR", "NLD", "NOR", "POL",
    "PRT", "KOR", "MDA", "MKD", "ROU", "SLV", "SGP", "SVK", "SVN", "ESP", "SWE", "CHE", "UKR",
    "ARE", "GBR",
];

/// Other member States of the demo body.
pub const OTHERS: [&str; 16] = [
    "BRA", "CHN", "RUS", "USA", "IND", "ZAF", "MEX", "NGA", "IDN", "KEN", "PAK", "IRN", "CUB",
    "VNM", "SAU", "TUR",
];

/// The General Assembly's regional groups of the demo body's members (Türkiye and the United
/// States counted with the Western European and other States, as for elections).
pub const REGIONAL_GROUPS: [(&str, &[&str]); 5] = [
    (
        "African States",
        &["EGY", "GAB", "KEN", "MAR", "NGA", "ZAF"],
    ),
    (
        "Asia-Pacific States",
        &[
            "ARE", "CHN", "CYP", "IDN", "IND", "IRN", "JPN", "KOR", "LBN", "PAK", "SAU", "SGP",
            "VNM",
        ],
    ),
    (
        "Eastern European States",
        &[
            "BGR", "CZE", "EST", "GEO", "HRV", "HUN", "LTU", "LVA", "MDA", "MKD", "MNE", "POL",
            "ROU", "RUS", "SVK", "SVN", "UKR",
        ],
    ),
    (
        "Latin American and Caribbean States",
        &[
            "ARG", "BRA", "CHL", "COL", "CUB", "ECU", "GTM", "MEX", "SLV",
        ],
    ),
    (
        "Western European and other States",
        &[
            "AUS", "AUT", "BEL", "CAN", "CHE", "DEU", "DNK", "ESP", "FIN", "FRA", "GBR", "GRC",
            "IRL", "ISL", "ITA", "LIE", "LUX", "MCO", "MLT", "NLD", "NOR", "PRT", "SWE", "TUR",
            "USA",
        ],
    ),
];

pub const BODY: &str = "poa";
/// The working group on capacity building, a body under the Programme.
pub const CAPACITY_WORKING_GROUP: &str = "poa-cbwg";
pub const CONSULTATIVE_DAY: &str = "poa-cd-1";
pub const REVIEW_CONFERENCE: &str = "poa-rc-1";
pub const PERIODIC_MEETING: &str = "poa-pm-1";

/// Tokens of every role, created through the admin API.
#[derive(Debug, Clone, Default)]
pub struct Tokens {
    pub admin: String,
    pub secretariat: String,
    pub auditor: String,
    pub observer: String,
    pub chairs: BTreeMap<String, String>,
    pub delegates: BTreeMap<String, String>,
}

/// What the scenario produced, for printing and for tests.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// The log position at the end of each conference day.
    pub day_ends: Vec<(String, i64)>,
    pub adopted: String,
    pub failed: String,
    pub revised: String,
    pub framework_version: u64,
}

struct Run<'a> {
    c: &'a dyn Client,
    t: &'a Tokens,
    last_position: i64,
    clock: Option<&'a Clock>,
}

fn who<'t>(t: &'t Tokens, state: &str) -> Result<&'t str, String> {
    t.delegates
        .get(state)
        .map(String::as_str)
        .ok_or_else(|| format!("no delegate token for {state}"))
}

impl Run<'_> {
    /// What follows happened at `at` (RFC 3339), when the scenario loads on its own dates.
    fn on(&self, at: &str) {
        if let Some(clock) = self.clock {
            clock.simulate(at.parse().expect("a scenario time is RFC 3339"));
        }
    }

    /// The scenario's day, or the server's when it loads on today's dates.
    fn today(&self) -> chrono::NaiveDate {
        self.clock
            .map(Clock::today)
            .unwrap_or_else(|| chrono::Utc::now().date_naive())
    }

    async fn ok(&mut self, path: &str, token: &str, body: Value) -> Result<Value, String> {
        let (status, v) = self.c.send("POST", path, token, Some(body.clone())).await?;
        if status != 200 {
            return Err(format!("POST {path} {body} answered {status}: {v}"));
        }
        if let Some(p) = v["positions"]
            .as_array()
            .and_then(|p| p.last())
            .and_then(Value::as_i64)
        {
            self.last_position = self.last_position.max(p);
        }
        Ok(v)
    }

    /// A command the rules must refuse with this status.
    async fn refused(
        &mut self,
        path: &str,
        token: &str,
        body: Value,
        expected: u16,
    ) -> Result<Value, String> {
        let (status, v) = self.c.send("POST", path, token, Some(body.clone())).await?;
        if status != expected {
            return Err(format!(
                "POST {path} {body} should be refused with {expected}, answered {status}: {v}"
            ));
        }
        Ok(v)
    }

    async fn get(&self, path: &str, token: &str) -> Result<Value, String> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let path = format!("{path}{sep}min_position={}", self.last_position);
        let (status, v) = self.c.send("GET", &path, token, None).await?;
        if status != 200 {
            return Err(format!("GET {path} answered {status}: {v}"));
        }
        Ok(v)
    }

    async fn meeting(&mut self, id: &str, token: &str, cmd: Value) -> Result<Value, String> {
        self.ok(&format!("/api/v1/meetings/{id}/commands"), token, cmd)
            .await
    }

    async fn amendment(&mut self, id: &str, token: &str, cmd: Value) -> Result<Value, String> {
        self.ok(&format!("/api/v1/amendments/{id}/commands"), token, cmd)
            .await
    }

    /// Waits until the reactor has applied adoptions up to this framework version.
    async fn until_framework_version(&self, version: u64) -> Result<(), String> {
        for _ in 0..200 {
            let f = self
                .get(&format!("/api/v1/frameworks/{BODY}"), &self.t.secretariat)
                .await?;
            if f["version"].as_u64() >= Some(version) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(format!("framework {BODY} never reached version {version}"))
    }

    /// The head of the log now: the end of a day includes the consequences the system itself
    /// recorded (adoptions applied, amendments put in conflict), not only our own commands.
    async fn day_end(&mut self) -> Result<i64, String> {
        let (status, v) = self
            .c
            .send("GET", "/api/v1/log/head", &self.t.secretariat, None)
            .await?;
        let head = v["position"]
            .as_i64()
            .filter(|_| status == 200)
            .ok_or_else(|| format!("GET /api/v1/log/head answered {status}: {v}"))?;
        self.last_position = self.last_position.max(head);
        Ok(head)
    }

    /// Waits until the reactor has brought an amendment to `status`.
    async fn until_status(&self, id: &str, status: &str) -> Result<Value, String> {
        for _ in 0..200 {
            let a = self
                .get(&format!("/api/v1/amendments/{id}"), &self.t.secretariat)
                .await?;
            if a["status"] == status {
                return Ok(a);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(format!("amendment {id} never reached status {status}"))
    }
}

fn word_index(text: &str, phrase: &str) -> usize {
    let words: Vec<&str> = text.split_whitespace().collect();
    let target: Vec<&str> = phrase.split_whitespace().collect();
    words
        .windows(target.len())
        .position(|w| w == target.as_slice())
        .map(|i| i + 1)
        .unwrap_or(0)
}

const OP2: &str = "Encourages States to report on their national implementation efforts and to conduct gap analyses on a rotating basis in order to determine their needs and priority areas for action;";

fn declaration() -> Value {
    json!({
        "sections": [
            { "section": "general", "title": "General" },
            { "section": "international_law", "title": "International law" },
            { "section": "norms_rules_principles", "title": "Norms, rules and principles" },
            { "section": "confidence_building_measures", "title": "Confidence-building measures" },
            { "section": "capacity_building", "title": "Capacity building" }
        ],
        "paragraphs": [
            { "id": "PP-1", "kind": "preamble", "section": "general", "text": "Recalling the existing and emerging threats to international security related to the malicious uses of information and communication technologies," },
            { "id": "PP-2", "kind": "preamble", "section": "general", "text": "Reaffirming the framework for responsible State behaviour endorsed by resolution 70/237 and the consensus final report of the Open-ended Working Group established pursuant to resolution 73/27," },
            { "id": "OP-1", "kind": "operative", "section": "general", "text": "Establishes a permanent, action-oriented, inclusive, transparent and results-based Programme of Action to advance responsible State behaviour in the use of ICTs;" },
            { "id": "OP-2", "kind": "operative", "section": "norms_rules_principles", "text": OP2 },
            { "id": "OP-3", "kind": "operative", "section": "international_law", "text": "Invites States to share their national positions on how international law applies to the use of ICTs;" },
            { "id": "OP-4", "kind": "operative", "section": "confidence_building_measures", "text": "Establishes a repository of national points of contact;" },
            { "id": "OP-5", "kind": "operative", "section": "capacity_building", "text": "Decides to create a working group dedicated to capacity building, consistent with the principles set out in paragraph 56 of the final report of the Open-ended Working Group;" }
        ]
    })
}

/// Creates a token for each role (and a delegate for each member State) through the API.
pub async fn tokens(c: &dyn Client, admin: &str) -> Result<Tokens, String> {
    let make = |role: &'static str, scope: Option<String>, label: String| async move {
        let (status, v) = c
            .send(
                "POST",
                "/api/v1/credentials",
                admin,
                Some(json!({ "role": role, "scope": scope, "label": label })),
            )
            .await?;
        if status != 201 {
            return Err(format!(
                "creating a {role} credential answered {status}: {v}"
            ));
        }
        v["token"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| "no token".to_owned())
    };
    let mut t = Tokens {
        admin: admin.to_owned(),
        secretariat: make("secretariat", None, "UNODA secretariat".into()).await?,
        auditor: make("auditor", None, "External auditor".into()).await?,
        observer: make(
            "observer",
            Some("cyberpeace-institute".into()),
            "CyberPeace Institute".into(),
        )
        .await?,
        ..Default::default()
    };
    for m in [CONSULTATIVE_DAY, REVIEW_CONFERENCE, PERIODIC_MEETING] {
        t.chairs.insert(
            m.to_owned(),
            make("chair", Some(m.to_owned()), format!("Chair of {m}")).await?,
        );
    }
    for s in CO_SPONSORS.iter().chain(OTHERS.iter()) {
        t.delegates.insert(
            (*s).to_owned(),
            make(
                "delegate",
                Some((*s).to_owned()),
                format!("Delegation of {s}"),
            )
            .await?,
        );
    }
    Ok(t)
}

/// Loads the whole scenario. Fails on the first answer that is not what the rules require.
/// Loads the scenario. With `clock` (the store's, for a client in this process) each step is
/// recorded on the scenario's own dates, from the adoption of resolution 77/37 to the week
/// after the conference; the clock is the server's again when this returns. Without it,
/// everything is dated today.
pub async fn load(c: &dyn Client, t: &Tokens, clock: Option<&Clock>) -> Result<Outcome, String> {
    let r = Run {
        c,
        t,
        last_position: 0,
        clock,
    };
    let outcome = scenario(r).await;
    if let Some(clock) = clock {
        clock.system();
    }
    outcome
}

async fn scenario(mut r: Run<'_>) -> Result<Outcome, String> {
    let t = r.t;
    r.on("2022-12-07T16:00:00Z");
    let sec = t.secretariat.clone();
    let chair = t.chairs[REVIEW_CONFERENCE].clone();
    let cd_chair = t.chairs[CONSULTATIVE_DAY].clone();
    let members: Vec<&str> = CO_SPONSORS.iter().chain(OTHERS.iter()).copied().collect();
    let mut out = Outcome::default();

    // The co-sponsors establish the Programme: the body and its Political Declaration.
    r.ok(&format!("/api/v1/bodies/{BODY}/commands"), &sec, json!({ "EstablishBody": {
        "body_id": BODY, "name": "Programme of Action to advance responsible State behaviour in the use of ICTs",
        "parent_body": null, "founding_document": "A/RES/77/37", "members": members, "rules": null } })).await?;
    for (group, states) in REGIONAL_GROUPS {
        r.ok(
            &format!("/api/v1/bodies/{BODY}/commands"),
            &sec,
            json!({ "SetRegionalGroup": { "group": group, "states": states } }),
        )
        .await?;
    }
    let mut establish = declaration();
    establish["body_id"] = json!(BODY);
    establish["name"] = json!("Political Declaration of the Programme of Action");
    establish["establishing_symbol"] = json!("A/RES/77/37");
    establish["date"] = json!("2022-12-07");
    establish["co_sponsors"] = json!(CO_SPONSORS.to_vec());
    r.ok(
        &format!("/api/v1/frameworks/{BODY}/commands"),
        &sec,
        json!({ "EstablishProgramme": establish }),
    )
    .await?;
    r.on("2026-11-02T14:00:00Z");
    r.ok(&format!("/api/v1/frameworks/{BODY}/commands"), &sec, json!({ "AddTranslation": {
        "paragraph": "OP-2", "language": "fr", "origin": "human", "of_version": 1,
        "text": "Encourage les États à rendre compte de leurs efforts nationaux de mise en œuvre et à procéder à des analyses des lacunes de manière tournante, afin de déterminer leurs besoins et leurs domaines d'action prioritaires;" } })).await?;

    // Stakeholders: one accredited already, one proposed on a non-objection basis.
    r.ok(&format!("/api/v1/bodies/{BODY}/commands"), &sec, json!({ "RegisterStakeholder": {
        "organisation_id": "cyberpeace-institute", "name": "CyberPeace Institute", "kind": "CivilSociety", "already_accredited": true } })).await?;
    r.ok(&format!("/api/v1/bodies/{BODY}/commands"), &sec, json!({ "RegisterStakeholder": {
        "organisation_id": "acme-security", "name": "ACME Security Ltd", "kind": "PrivateSector", "already_accredited": false } })).await?;
    let notice = (r.today() + chrono::Days::new(14)).to_string();
    r.ok(
        &format!("/api/v1/bodies/{BODY}/commands"),
        &sec,
        json!({ "ProposeAccreditation": {
        "organisation_id": "acme-security", "notice_ends": notice } }),
    )
    .await?;
    r.ok(&format!("/api/v1/bodies/{BODY}/commands"), who(t, "IRN")?, json!({ "ObjectToAccreditation": {
        "organisation_id": "acme-security", "state": "IRN", "reason": "Insufficient information on the company's activities." } })).await?;

    // The review conference is convened, and delegations registered, ahead of it; the
    // consultative day, open to stakeholders, precedes it.
    r.on("2026-11-09T14:00:00Z");
    r.meeting(REVIEW_CONFERENCE, &sec, json!({ "Convene": {
        "meeting_id": REVIEW_CONFERENCE, "body_id": BODY, "kind": "ReviewConference", "symbol": "PoA/RC.1/2026",
        "title": "First Review Conference of the Programme of Action", "starts": "2026-11-23", "ends": "2026-11-27",
        "venue": "Conference Room 4, United Nations Headquarters, New York",
        "chair": { "name": "Ambassador Ana Ruiz", "state": "CHL" }, "programme_link": null } })).await?;
    r.meeting(CONSULTATIVE_DAY, &sec, json!({ "Convene": {
        "meeting_id": CONSULTATIVE_DAY, "body_id": BODY, "kind": "ConsultativeDay", "symbol": "PoA/CD.1/2026",
        "title": "Consultative day with stakeholders", "starts": "2026-11-22", "ends": "2026-11-22",
        "venue": "Conference Room 4, United Nations Headquarters, New York",
        "chair": { "name": "Ambassador Ana Ruiz", "state": "CHL" }, "programme_link": null,
        "precedes": REVIEW_CONFERENCE } })).await?;
    r.meeting(CONSULTATIVE_DAY, &sec, json!({ "RegisterStakeholder": {
        "organisation_id": "cyberpeace-institute", "name": "CyberPeace Institute", "kind": "CivilSociety", "role": "Participant" } })).await?;
    // The conference's documents, in its series, and the resolution the record cites.
    let registry = "/api/v1/documents/commands";
    r.ok(registry, &sec, json!({ "RegisterExternal": { "body_id": BODY, "symbol": "A/RES/77/37",
        "title": "Programme of action to advance responsible State behaviour in the use of information and communications technologies in the context of international security",
        "issuer": "General Assembly", "date": "2022-12-07" } })).await?;
    r.ok(
        registry,
        &sec,
        json!({ "IssueDocument": { "body_id": BODY, "prefix": "PoA/RC.1/2026", "series": "Main",
        "title": "Provisional agenda", "distribution": "General", "language": "en",
        "links": [{ "AgendaItem": { "meeting_id": REVIEW_CONFERENCE, "item": 2 } }] } }),
    )
    .await?;
    r.ok(registry, &sec, json!({ "IssueDocument": { "body_id": BODY, "prefix": "PoA/RC.1/2026", "series": "Inf",
        "title": "Implementation of the framework: information note by the secretariat", "distribution": "General", "language": "en",
        "links": [{ "AgendaItem": { "meeting_id": REVIEW_CONFERENCE, "item": 3 } }] } })).await?;
    r.ok(registry, &sec, json!({ "AddLanguageVersion": { "symbol": "PoA/RC.1/2026/1", "language": "fr", "origin": "Human" } })).await?;
    r.meeting(
        REVIEW_CONFERENCE,
        &sec,
        json!({ "RegisterDelegation": { "state": "NOR", "members": [
        { "name": "Kari Nordmann", "gender": "Female", "head_of_delegation": true },
        { "name": "Ola Nordmann", "gender": "Male", "head_of_delegation": false } ] } }),
    )
    .await?;
    for (s, name, gender) in [
        ("BRA", "Joana Silva", "Female"),
        ("EGY", "Omar Hassan", "Male"),
        ("RUS", "Irina Petrova", "Female"),
        ("IND", "Arjun Mehta", "Male"),
    ] {
        r.meeting(
            REVIEW_CONFERENCE,
            &sec,
            json!({ "RegisterDelegation": { "state": s, "members": [
            { "name": name, "gender": gender, "head_of_delegation": true } ] } }),
        )
        .await?;
    }
    r.meeting(REVIEW_CONFERENCE, &sec, json!({ "RegisterStakeholder": {
        "organisation_id": "cyberpeace-institute", "name": "CyberPeace Institute", "kind": "CivilSociety", "role": "Observer" } })).await?;
    r.meeting(REVIEW_CONFERENCE, who(t, "NOR")?, json!({ "RequestSponsorship": {
        "request_id": "spons-1", "expert": "Dr. Amina Diallo", "state": "NOR", "amount_usd": 4200 } })).await?;
    // The sponsorship programme is a fund of its own; the award is paid from it.
    let sponsorship = "/api/v1/funds/poa-sponsorship/commands";
    r.ok(sponsorship, &sec, json!({ "EstablishFund": { "body_id": BODY,
        "name": "Sponsorship programme for experts from developing countries", "currency": "USD" } })).await?;
    r.ok(sponsorship, &sec, json!({ "RecordEntry": { "entry_id": "aus-2026-1", "kind": "contribution",
        "donor": { "State": "AUS" }, "recipient": null, "amount": 30000, "purpose": "sponsorship programme",
        "date": r.today().to_string() } })).await?;
    r.meeting(REVIEW_CONFERENCE, &sec, json!({ "RequestSponsorship": {
        "request_id": "spons-2", "expert": "Mr. Peter Otieno", "state": "KEN", "amount_usd": 5100 } })).await?;
    for request in ["spons-1", "spons-2"] {
        r.meeting(
            REVIEW_CONFERENCE,
            &sec,
            json!({ "AwardSponsorship": { "request_id": request, "fund_id": "poa-sponsorship" } }),
        )
        .await?;
    }

    // The consultative day sits the day before the conference.
    r.on("2026-11-22T14:00:00Z");
    r.meeting(CONSULTATIVE_DAY, &cd_chair, json!({ "Open": {} }))
        .await?;
    r.meeting(CONSULTATIVE_DAY, &cd_chair, json!({ "Close": {} }))
        .await?;

    // The review conference's first morning: presence and quorum.
    r.on("2026-11-23T14:00:00Z");
    // Only 10 States in the room: the chair cannot open the meeting.
    for s in members.iter().take(10) {
        r.meeting(
            REVIEW_CONFERENCE,
            &sec,
            json!({ "MarkPresent": { "state": s } }),
        )
        .await?;
    }
    let refusal = r
        .refused(
            &format!("/api/v1/meetings/{REVIEW_CONFERENCE}/commands"),
            &chair,
            json!({ "Open": {} }),
            409,
        )
        .await?;
    if !refusal["detail"]
        .as_str()
        .unwrap_or("")
        .contains("No quorum")
    {
        return Err(format!(
            "opening without quorum: unexpected refusal {refusal}"
        ));
    }
    let present: Vec<&str> = members
        .iter()
        .copied()
        .filter(|s| !["USA", "CHN", "PAK", "CUB", "VNM", "SAU", "TUR"].contains(s))
        .take(50)
        .collect();
    for s in present.iter().skip(10) {
        r.meeting(
            REVIEW_CONFERENCE,
            &sec,
            json!({ "MarkPresent": { "state": s } }),
        )
        .await?;
    }
    for s in ["BRA", "RUS", "IND", "IRN"] {
        if !present.contains(&s) {
            r.meeting(
                REVIEW_CONFERENCE,
                &sec,
                json!({ "MarkPresent": { "state": s } }),
            )
            .await?;
        }
    }

    // Day 1: opening, agenda.
    r.meeting(REVIEW_CONFERENCE, &chair, json!({ "IssueProvisionalAgenda": { "items": [
        { "number": 1, "title": "Opening of the Conference", "nature": "Procedural", "documents": [] },
        { "number": 2, "title": "Adoption of the agenda", "nature": "Procedural", "documents": ["PoA/RC.1/2026/1"] },
        { "number": 3, "title": "Review of implementation of the framework", "nature": "Substantive", "documents": ["PoA/RC.1/2026/INF.1"] },
        { "number": 4, "title": "Amendments to the Political Declaration", "nature": "Substantive", "documents": [] },
        { "number": 5, "title": "Programme of work", "nature": "Substantive", "documents": [] } ] } })).await?;
    r.meeting(REVIEW_CONFERENCE, &chair, json!({ "Open": {} }))
        .await?;
    r.meeting(REVIEW_CONFERENCE, &chair, json!({ "AdoptAgenda": {} }))
        .await?;
    r.meeting(
        REVIEW_CONFERENCE,
        &chair,
        json!({ "TakeUpItem": { "item": 3 } }),
    )
    .await?;
    for s in ["NOR", "BRA", "EGY"] {
        r.meeting(
            REVIEW_CONFERENCE,
            who(t, s)?,
            json!({ "InscribeSpeaker": { "item": 3, "speaker": { "State": s } } }),
        )
        .await?;
    }
    r.meeting(
        REVIEW_CONFERENCE,
        who(t, "BRA")?,
        json!({ "WithdrawSpeaker": { "item": 3, "speaker": { "State": "BRA" } } }),
    )
    .await?;
    r.meeting(
        REVIEW_CONFERENCE,
        &chair,
        json!({ "SetSpeakingTime": { "item": 3, "seconds": 300 } }),
    )
    .await?;
    // The floor to Norway, then Egypt; the chair records who spoke for each.
    for (state, delegate) in [("NOR", "Kari Nordmann"), ("EGY", "Omar Hassan")] {
        r.meeting(
            REVIEW_CONFERENCE,
            &chair,
            json!({ "CallNextSpeaker": { "item": 3 } }),
        )
        .await?;
        r.meeting(
            REVIEW_CONFERENCE,
            &chair,
            json!({ "IdentifySpeaker": { "item": 3, "state": state, "delegate": delegate } }),
        )
        .await?;
    }
    r.meeting(
        REVIEW_CONFERENCE,
        &chair,
        json!({ "ConcludeItem": { "item": 3 } }),
    )
    .await?;
    out.day_ends.push(("2026-11-23".into(), r.day_end().await?));

    r.on("2026-11-24T14:00:00Z");
    // Day 2: amendments are proposed against version 1 and tabled under item 4.
    let am_nor = "poa-am-nor-1";
    let am_bra = "poa-am-bra-1";
    let am_egy = "poa-am-egy-1";
    let at = word_index(OP2, "on a rotating basis");
    r.amendment(am_nor, who(t, "NOR")?, json!({ "Propose": {
        "framework_id": BODY, "proposer": "NOR", "co_sponsors": ["ISL", "FIN"], "title": "Voluntary national reporting",
        "base_version": 1, "operations": [
            { "op": "replace_words", "paragraph": "OP-2", "at_word": at, "old": "on a rotating basis", "new": "on a voluntary and rotating basis" } ] } })).await?;
    r.amendment(
        am_nor,
        who(t, "SWE")?,
        json!({ "CoSponsor": { "state": "SWE" } }),
    )
    .await?;
    r.amendment(am_bra, who(t, "BRA")?, json!({ "Propose": {
        "framework_id": BODY, "proposer": "BRA", "co_sponsors": [], "title": "A dedicated capacity-building fund",
        "base_version": 1, "operations": [
            { "op": "insert_after", "after": "OP-5", "new_id": "OP-BRA-1", "kind": "operative", "section": "capacity_building",
              "text": "Decides to establish a dedicated trust fund for capacity building, financed by assessed contributions;" } ] } })).await?;
    r.amendment(am_egy, who(t, "EGY")?, json!({ "Propose": {
        "framework_id": BODY, "proposer": "EGY", "co_sponsors": [], "title": "Periodic gap analyses",
        "base_version": 1, "operations": [
            { "op": "replace_words", "paragraph": "OP-2", "at_word": at, "old": "on a rotating basis", "new": "periodically" } ] } })).await?;
    // Each proposal is issued as a conference room paper, which names its amendment.
    for (a, title) in [
        (am_nor, "Draft amendment to operative paragraph 2 proposed by Norway: voluntary national reporting"),
        (am_bra, "Draft amendment proposed by Brazil: a dedicated capacity-building fund"),
    ] {
        r.ok("/api/v1/documents/commands", &sec, json!({ "IssueDocument": { "body_id": BODY, "prefix": "PoA/RC.1/2026",
            "series": "Crp", "title": title, "distribution": "General", "language": "en",
            "links": [{ "Amendment": { "amendment_id": a } }] } })).await?;
    }
    // An operation that does not match the text is refused with where and why.
    r.refused("/api/v1/amendments/poa-am-bad/commands", who(t, "EGY")?, json!({ "Propose": {
        "framework_id": BODY, "proposer": "EGY", "co_sponsors": [], "title": "Mistyped",
        "base_version": 1, "operations": [
            { "op": "replace_words", "paragraph": "OP-2", "at_word": 3, "old": "private sector", "new": "industry" } ] } }), 422).await?;
    r.meeting(
        REVIEW_CONFERENCE,
        &chair,
        json!({ "TakeUpItem": { "item": 4 } }),
    )
    .await?;
    for a in [am_nor, am_bra, am_egy] {
        r.amendment(
            a,
            &chair,
            json!({ "Table": { "meeting_id": REVIEW_CONFERENCE, "agenda_item": 4 } }),
        )
        .await?;
    }

    // Norway's amendment: an objection is raised and withdrawn; adopted without a vote.
    r.meeting(REVIEW_CONFERENCE, &chair, json!({ "CallForConsensus": { "subject": { "Amendment": { "amendment_id": am_nor, "revision": 1 } } } })).await?;
    r.meeting(REVIEW_CONFERENCE, who(t, "IND")?, json!({ "RaiseObjection": { "state": "IND", "reason": "Reporting must remain voluntary in every case." } })).await?;
    r.refused(
        &format!("/api/v1/meetings/{REVIEW_CONFERENCE}/commands"),
        &chair,
        json!({ "DeclareOutcome": { "outcome": "AdoptedWithoutAVote" } }),
        409,
    )
    .await?;
    // A State not present cannot object.
    r.refused(
        &format!("/api/v1/meetings/{REVIEW_CONFERENCE}/commands"),
        who(t, "USA")?,
        json!({ "RaiseObjection": { "state": "USA", "reason": null } }),
        409,
    )
    .await?;
    // A delegate cannot object for another State.
    r.refused(
        &format!("/api/v1/meetings/{REVIEW_CONFERENCE}/commands"),
        who(t, "NOR")?,
        json!({ "RaiseObjection": { "state": "BRA", "reason": null } }),
        403,
    )
    .await?;
    r.meeting(
        REVIEW_CONFERENCE,
        who(t, "IND")?,
        json!({ "WithdrawObjection": { "state": "IND" } }),
    )
    .await?;
    r.meeting(REVIEW_CONFERENCE, who(t, "EGY")?, json!({ "ExplainPosition": { "state": "EGY", "timing": "BeforeDecision",
        "text": "Egypt joins the consensus but dissociates itself from operative paragraph 2.", "dissociates_from": ["OP-2"] } })).await?;
    r.meeting(
        REVIEW_CONFERENCE,
        &chair,
        json!({ "DeclareOutcome": { "outcome": "AdoptedWithoutAVote" } }),
    )
    .await?;
    r.refused(
        &format!("/api/v1/meetings/{REVIEW_CONFERENCE}/commands"),
        who(t, "RUS")?,
        json!({ "RaiseObjection": { "state": "RUS", "reason": null } }),
        409,
    )
    .await?;
    r.until_status(am_nor, "adopted").await?;
    // Egypt's amendment touched the same words: it is now in conflict.
    r.until_status(am_egy, "in_conflict").await?;
    r.until_framework_version(2).await?;
    out.day_ends.push(("2026-11-24".into(), r.day_end().await?));

    r.on("2026-11-25T14:00:00Z");
    // Day 3: Brazil's amendment meets a standing objection: no consensus (never a vote).
    r.meeting(REVIEW_CONFERENCE, &chair, json!({ "CallForConsensus": { "subject": { "Amendment": { "amendment_id": am_bra, "revision": 1 } } } })).await?;
    r.meeting(REVIEW_CONFERENCE, who(t, "RUS")?, json!({ "RaiseObjection": { "state": "RUS", "reason": "Assessed contributions are not acceptable." } })).await?;
    // A substantive proposal is never put to a vote: invalid input (422), whatever the state.
    let refusal = r.refused(&format!("/api/v1/meetings/{REVIEW_CONFERENCE}/commands"), &chair, json!({ "PutQuestionToVote": { "question": { "Proposal": { "subject": { "Amendment": { "amendment_id": am_bra, "revision": 1 } } } } } }), 422).await?;
    if refusal["type"] != "/problems/substantive-question-not-votable" {
        return Err(format!(
            "putting a substantive proposal to the vote: unexpected refusal {refusal}"
        ));
    }
    r.meeting(
        REVIEW_CONFERENCE,
        &chair,
        json!({ "DeclareOutcome": { "outcome": "NoConsensus" } }),
    )
    .await?;
    r.until_status(am_bra, "no_consensus").await?;

    // Egypt revises against version 2, which clears the conflict; adopted by consensus.
    let v2 = r.get(&format!("/api/v1/frameworks/{BODY}"), &sec).await?;
    let op2 = v2["paragraphs"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["id"] == "OP-2"))
        .map(|p| p["text"].as_str().unwrap_or("").to_owned())
        .unwrap_or_default();
    let at2 = word_index(&op2, "on a voluntary and rotating basis");
    r.amendment(am_egy, who(t, "EGY")?, json!({ "Revise": { "by": "EGY", "title": null, "base_version": 2, "operations": [
        { "op": "replace_words", "paragraph": "OP-2", "at_word": at2, "old": "on a voluntary and rotating basis", "new": "on a voluntary, rotating and periodic basis" } ] } })).await?;
    r.meeting(REVIEW_CONFERENCE, &chair, json!({ "CallForConsensus": { "subject": { "Amendment": { "amendment_id": am_egy, "revision": 2 } } } })).await?;
    r.meeting(
        REVIEW_CONFERENCE,
        &chair,
        json!({ "DeclareOutcome": { "outcome": "AdoptedWithoutAVote" } }),
    )
    .await?;
    r.until_status(am_egy, "adopted").await?;
    r.meeting(
        REVIEW_CONFERENCE,
        &chair,
        json!({ "ConcludeItem": { "item": 4 } }),
    )
    .await?;
    r.until_framework_version(3).await?;
    out.day_ends.push(("2026-11-25".into(), r.day_end().await?));

    r.on("2026-11-26T14:00:00Z");
    // Day 4: a motion to adjourn the meeting is put to the vote and rejected.
    r.meeting(
        REVIEW_CONFERENCE,
        &chair,
        json!({ "TakeUpItem": { "item": 5 } }),
    )
    .await?;
    r.meeting(
        REVIEW_CONFERENCE,
        who(t, "RUS")?,
        json!({ "MoveMotion": { "state": "RUS", "kind": "AdjournMeeting" } }),
    )
    .await?;
    let state = r
        .get(&format!("/api/v1/meetings/{REVIEW_CONFERENCE}"), &chair)
        .await?;
    let motion = state["state"]["motions"]
        .as_array()
        .map(|m| m.len())
        .unwrap_or(1);
    r.meeting(
        REVIEW_CONFERENCE,
        &chair,
        json!({ "PutQuestionToVote": { "question": { "Motion": { "motion": motion } } } }),
    )
    .await?;
    r.meeting(
        REVIEW_CONFERENCE,
        who(t, "RUS")?,
        json!({ "RequestRecordedVote": { "state": "RUS" } }),
    )
    .await?;
    let in_room: Vec<String> = state["state"]["present"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    for (i, s) in in_room.iter().enumerate() {
        let ballot = match (s.as_str(), i % 10) {
            ("RUS" | "IRN", _) => "Yes",
            (_, 0) => "Abstain",
            (_, 1) => "Yes",
            _ => "No",
        };
        r.meeting(
            REVIEW_CONFERENCE,
            who(t, s)?,
            json!({ "CastVote": { "state": s, "ballot": ballot } }),
        )
        .await?;
    }
    r.meeting(REVIEW_CONFERENCE, &chair, json!({ "CloseVoting": {} }))
        .await?;

    // The programme of work, adopted by consensus, schedules the periodic meetings.
    r.meeting(REVIEW_CONFERENCE, &chair, json!({ "CallForConsensus": { "subject": { "ProgrammeOfWork": { "meetings": [
        { "kind": "PeriodicMeeting", "title": "First annual meeting", "starts": "2027-07-12", "ends": "2027-07-16" },
        { "kind": "IntersessionalMeeting", "title": "Intersessional meeting on capacity building", "starts": "2027-03-01", "ends": "2027-03-03" },
        { "kind": "PeriodicMeeting", "title": "Second annual meeting", "starts": "2028-07-10", "ends": "2028-07-14" } ] } } } })).await?;
    r.meeting(
        REVIEW_CONFERENCE,
        &chair,
        json!({ "DeclareOutcome": { "outcome": "AdoptedWithoutAVote" } }),
    )
    .await?;
    // The annex of regional initiatives: the secretariat drafts the initiatives Norway's
    // views name, the Conference adopts the annex, and the secretariat records the decision.
    let annex = format!("/api/v1/annexes/{BODY}/commands");
    for (id, organisation, title, description, links) in [
        ("osce-cbms", "OSCE", "Confidence-building measures to reduce the risks of conflict stemming from the use of ICTs",
         "The sixteen confidence-building measures the OSCE's participating States adopted (Permanent Council decisions 1106 and 1202), to increase transparency, cooperation and stability between States in the use of ICTs.",
         vec!["https://www.osce.org/"]),
        ("budapest-convention", "Council of Europe", "Convention on Cybercrime (the Budapest Convention)",
         "The first international treaty on crimes committed via the Internet and other computer networks, open to accession by States beyond the Council of Europe, with its additional protocols.",
         vec!["https://www.coe.int/en/web/cybercrime/the-budapest-convention"]),
        ("nato-ccdcoe", "NATO Cooperative Cyber Defence Centre of Excellence", "Research, training and exercises on cyber defence",
         "Cooperation with the Centre in Tallinn, including its work on how international law applies to cyber operations.",
         vec!["https://ccdcoe.org/"]),
        ("nordic-cooperation", "Nordic cooperation", "Nordic cooperation on cyber security",
         "Cooperation among the Nordic countries on cyber security, the protection of critical infrastructure and capacity building.",
         vec![]),
    ] {
        r.ok(&annex, &sec, json!({ "DraftEntry": { "entry_id": id, "organisation": organisation,
            "title": title, "description": description, "links": links } })).await?;
    }
    const ANNEX_DECISION: &str =
        "The Conference adopts the annex of regional initiatives as drafted by the secretariat.";
    r.meeting(REVIEW_CONFERENCE, &chair, json!({ "CallForConsensus": { "subject": { "DraftDecision": { "text": ANNEX_DECISION } } } })).await?;
    r.meeting(
        REVIEW_CONFERENCE,
        &chair,
        json!({ "DeclareOutcome": { "outcome": "AdoptedWithoutAVote" } }),
    )
    .await?;
    let register = r
        .get(
            &format!("/api/v1/decisions?meeting={REVIEW_CONFERENCE}&limit=1000"),
            &sec,
        )
        .await?;
    let number = register["decisions"]
        .as_array()
        .and_then(|all| all.iter().find(|d| d["text"] == ANNEX_DECISION))
        .and_then(|d| d["number"].as_u64())
        .ok_or("the annex's adoption is not on the register")?;
    r.ok(
        &annex,
        &sec,
        json!({ "RecordAdoption": { "meeting_id": REVIEW_CONFERENCE, "decision_number": number } }),
    )
    .await?;
    // The summary records of the four sittings, and the draft report, which the
    // Conference adopts before it closes.
    for (n, day, text) in [
        (1, "2026-11-23", "The Chair opened the First Review Conference. The Conference adopted its agenda (PoA/RC.1/2026/1). The Secretariat introduced its information note on the implementation of the framework (PoA/RC.1/2026/INF.1)."),
        (2, "2026-11-24", "The Conference considered the draft amendments to the Political Declaration, heard objections and explanations of position, and took decisions on them without a vote."),
        (3, "2026-11-25", "The Conference continued its consideration of the draft amendments. No consensus was found on the amendment proposed by Brazil. The revised amendment proposed by Egypt was adopted without a vote."),
        (4, "2026-11-26", "A motion to adjourn the meeting was rejected in a recorded vote. The Conference adopted its programme of work and the annex of regional initiatives without a vote, and then its report."),
    ] {
        r.ok(registry, &sec, json!({ "IssueDocument": { "body_id": BODY, "prefix": "PoA/RC.1/2026", "series": "Sr",
            "title": format!("Summary record of meeting {n}, held on {day}"), "distribution": "General", "language": "en",
            "links": [{ "Meeting": { "meeting_id": REVIEW_CONFERENCE } }] } })).await?;
        r.meeting(REVIEW_CONFERENCE, &sec, json!({ "KeepSummaryRecord": {
            "date": day, "text": text, "symbol": format!("PoA/RC.1/2026/SR.{n}") } })).await?;
    }
    r.ok(registry, &sec, json!({ "IssueDocument": { "body_id": BODY, "prefix": "PoA/RC.1/2026", "series": "L",
        "title": "Draft report of the First Review Conference of the Programme of Action", "distribution": "Limited", "language": "en",
        "links": [{ "Meeting": { "meeting_id": REVIEW_CONFERENCE } }] } })).await?;
    r.meeting(REVIEW_CONFERENCE, &chair, json!({ "CallForConsensus": { "subject": { "Report": { "symbol": "PoA/RC.1/2026/L.1" } } } })).await?;
    r.meeting(
        REVIEW_CONFERENCE,
        &chair,
        json!({ "DeclareOutcome": { "outcome": "AdoptedWithoutAVote" } }),
    )
    .await?;
    r.meeting(
        REVIEW_CONFERENCE,
        &chair,
        json!({ "ConcludeItem": { "item": 5 } }),
    )
    .await?;
    r.meeting(REVIEW_CONFERENCE, &chair, json!({ "Close": {} }))
        .await?;
    r.meeting(PERIODIC_MEETING, &sec, json!({ "Convene": {
        "meeting_id": PERIODIC_MEETING, "body_id": BODY, "kind": "PeriodicMeeting", "symbol": "PoA/AM.1/2027",
        "title": "First annual meeting of the Programme of Action", "starts": "2027-07-12", "ends": "2027-07-16",
        "venue": "Palais des Nations, Geneva", "chair": { "name": "Ambassador Lars Berg", "state": "SWE" },
        "programme_link": { "meeting_id": REVIEW_CONFERENCE, "item": 1 } } })).await?;
    out.day_ends.push(("2026-11-26".into(), r.day_end().await?));

    let framework = r.get(&format!("/api/v1/frameworks/{BODY}"), &sec).await?;
    out.framework_version = framework["version"].as_u64().unwrap_or(0);
    if out.framework_version != 3 {
        return Err(format!(
            "expected framework version 3 after two adoptions, found {}",
            out.framework_version
        ));
    }
    // The week after: national contributions and capacity building.
    r.on("2026-11-30T14:00:00Z");
    national_contributions(&mut r, t).await?;
    // The Conference's record in French: its agenda, by the secretariat's translators, and
    // its first decision.
    for (number, title) in [
        (1, "Ouverture de la Conférence"),
        (2, "Adoption de l'ordre du jour"),
        (3, "Examen de la mise en œuvre du cadre"),
        (4, "Amendements à la Déclaration politique"),
        (5, "Programme de travail"),
    ] {
        r.meeting(REVIEW_CONFERENCE, &sec, json!({ "TranslateText": {
            "text_of": { "AgendaItem": { "number": number } }, "language": "fr", "origin": "human", "text": title } })).await?;
    }
    r.meeting(
        REVIEW_CONFERENCE,
        &sec,
        json!({ "TranslateText": {
        "text_of": { "Decision": { "number": 1 } }, "language": "fr", "origin": "human",
        "text": "L'ordre du jour, comportant 5 points, a été adopté." } }),
    )
    .await?;
    // A new entry for the annex, drafted for the next review conference.
    r.ok(&format!("/api/v1/annexes/{BODY}/commands"), &sec, json!({ "DraftEntry": { "entry_id": "oas-cicte",
        "organisation": "OAS", "title": "The Inter-American Committee against Terrorism's cyber security programme",
        "description": "Support to OAS member States in building national cyber security capacity, incident response teams and confidence-building measures.",
        "links": ["https://www.oas.org/"] } })).await?;
    // Two amendments in French: Norway's as adopted, and Egypt's first revision, which its
    // second revision left behind (so the board marks that translation stale).
    r.amendment(
        am_nor,
        &sec,
        json!({ "TranslateText": { "revision": 1, "language": "fr", "origin": "human",
        "title": "Établissement volontaire de rapports nationaux",
        "wording": ["sur une base volontaire et par roulement"] } }),
    )
    .await?;
    r.amendment(
        am_egy,
        &sec,
        json!({ "TranslateText": { "revision": 1, "language": "fr", "origin": "human",
        "title": "Analyses périodiques des lacunes", "wording": ["périodiquement"] } }),
    )
    .await?;
    // The amendments the Conference adopted, issued together; each decision on the register
    // names the document.
    let mut adopted = vec![];
    for a in [am_nor, am_egy] {
        let card = r.get(&format!("/api/v1/amendments/{a}"), &sec).await?;
        let symbol = card["decision"]["symbol"]
            .as_str()
            .ok_or(format!("{a} has no decision"))?;
        adopted.push(json!({ "Decision": { "symbol": symbol } }));
    }
    r.ok("/api/v1/documents/commands", &sec, json!({ "IssueDocument": { "body_id": BODY, "prefix": "PoA/RC.1/2026",
        "series": "Main", "title": "Amendments to the Political Declaration adopted by the First Review Conference",
        "distribution": "General", "language": "en", "links": adopted } })).await?;
    // OP-1 in the other official languages, machine-translated and marked so, for the
    // printed Declaration in every script.
    for (language, text) in [
        ("ar", "تنشئ برنامج عمل دائماً وعملي المنحى وشاملاً وشفافاً وقائماً على النتائج للنهوض بسلوك الدول المسؤول في استخدام تكنولوجيا المعلومات والاتصالات؛"),
        ("zh", "设立一个常设的、面向行动的、包容的、透明的和注重成果的行动纲领，以推进各国在使用信息和通信技术方面的负责任行为；"),
        ("es", "Establece un Programa de Acción permanente, orientado a la acción, inclusivo, transparente y basado en resultados para promover el comportamiento responsable de los Estados en el uso de las TIC;"),
        ("ru", "Учреждает постоянную, ориентированную на практические действия, инклюзивную, прозрачную и основанную на результатах программу действий для содействия ответственному поведению государств в использовании ИКТ;"),
    ] {
        r.ok(&format!("/api/v1/frameworks/{BODY}/commands"), &sec, json!({ "AddTranslation": {
            "paragraph": "OP-1", "language": language, "origin": "machine", "of_version": 1, "text": text } })).await?;
    }
    out.adopted = am_nor.into();
    out.failed = am_bra.into();
    out.revised = am_egy.into();
    Ok(out)
}

/// Norway's submission as filed (the seed document), its text and its attached file.
pub const NORWAY_VIEWS: &str = include_str!("../assets/demo/norway-views-71-28.txt");
pub const NORWAY_FILE: &str = "norway-views-71-28.txt";

/// Norway's views under resolution 71/28, in their original text (as submitted to the
/// Secretary-General in 2017), filed, submitted and published; points of contact of two
/// States, and the secretariat's first ping; capacity-building offers and requests, one
/// pair matched.
async fn national_contributions(r: &mut Run<'_>, t: &Tokens) -> Result<(), String> {
    let sec = t.secretariat.clone();
    let nor = who(t, "NOR")?.to_owned();
    let path = "/api/v1/submissions/nor-views-71-28/commands";
    r.ok(path, &nor, json!({ "Draft": { "submission_id": "nor-views-71-28", "body_id": BODY,
        "kind": "NationalViews", "state": "NOR",
        "title": "Norway: developments in the field of information and telecommunications in the context of international security (resolution 71/28)",
        "language": "en", "text": NORWAY_VIEWS,
        "resolution": "A/RES/71/28", "sections": ["international_law", "confidence_building_measures", "capacity_building"],
        "paragraphs": [], "topics": ["human rights", "international law", "regional cooperation"] } })).await?;
    // The views as Norway sent them, attached as a file.
    let (status, v) =
        r.c.upload(
            &format!("/api/v1/submissions/nor-views-71-28/attachments?name={NORWAY_FILE}"),
            &nor,
            "text/plain",
            NORWAY_VIEWS.as_bytes().to_vec(),
        )
        .await?;
    if status != 200 {
        return Err(format!("attaching {NORWAY_FILE} answered {status}: {v}"));
    }
    r.ok(path, &nor, json!({ "Submit": { "state": "NOR" } }))
        .await?;
    r.ok(path, &sec, json!({ "Publish": { "symbol": "A/72/315" } }))
        .await?;
    // The Secretary-General's report that carries the views, so the registry can print them.
    r.ok("/api/v1/documents/commands", &sec, json!({ "RegisterExternal": { "body_id": BODY,
        "symbol": "A/72/315",
        "title": "Developments in the field of information and telecommunications in the context of international security: report of the Secretary-General",
        "issuer": "General Assembly", "date": "2017-07-19" } })).await?;
    for (state, id, role, name, org, channel) in [
        (
            "NOR",
            "norcert",
            "Technical",
            "NorCERT duty officer",
            "Norwegian National Security Authority",
            json!({ "kind": "Email", "value": "norcert@example.no" }),
        ),
        (
            "NOR",
            "mfa-cyber",
            "Policy",
            "Cyber policy coordinator",
            "Ministry of Foreign Affairs",
            json!({ "kind": "Email", "value": "cyber@example.no" }),
        ),
        (
            "BRA",
            "ctir",
            "Technical",
            "CTIR Gov duty officer",
            "CTIR Gov",
            json!({ "kind": "Phone", "value": "+55 61 0000 0000" }),
        ),
    ] {
        r.ok(&format!("/api/v1/contacts/{state}/commands"), who(t, state)?, json!({ "NominateContact": {
            "state": state, "contact_id": id, "role": role, "name": name, "organisation": org, "channels": [channel] } })).await?;
    }
    // Thirty days to answer.
    let answer_by = (r.today() + chrono::Days::new(30)).to_string();
    for state in ["NOR", "BRA"] {
        r.ok(
            &format!("/api/v1/contacts/{state}/commands"),
            &sec,
            json!({ "SendPing": {
            "ping_id": "ping-1", "answer_by": answer_by } }),
        )
        .await?;
    }
    r.ok(
        "/api/v1/contacts/NOR/commands",
        &nor,
        json!({ "ConfirmPing": {
        "state": "NOR", "ping_id": "ping-1", "contact_id": "norcert" } }),
    )
    .await?;

    // Capacity building: Kenya's request paired with Norway's offer, both sides accepting;
    // Indonesia's request left open, with the pairs the board suggests for it.
    let ken = who(t, "KEN")?.to_owned();
    r.ok("/api/v1/capacity/offers/nor-cert-training/commands", &nor, json!({ "MakeOffer": {
        "offer_id": "nor-cert-training", "state": "NOR", "areas": ["capacity_building"],
        "modalities": ["CertDevelopment", "Training"], "languages": ["en", "fr"], "regions": ["Africa"],
        "capacity": 2, "description": "Mentoring of a national CERT by NorCERT, with training of its staff" } })).await?;
    r.ok("/api/v1/capacity/offers/cpi-training/commands", &t.observer, json!({ "MakeOffer": {
        "offer_id": "cpi-training", "organisation": "cyberpeace-institute", "areas": ["capacity_building", "international_law"],
        "modalities": ["Training"], "languages": ["en", "fr", "es"], "regions": [],
        "capacity": 3, "description": "Training of diplomats on international law and norms" } })).await?;
    let req = "/api/v1/capacity/requests/ken-cert/commands";
    r.ok(req, &ken, json!({ "FileRequest": { "request_id": "ken-cert", "state": "KEN", "area": "capacity_building",
        "gap_analysis": null, "priority": "High", "modality": "CertDevelopment", "language": "en", "region": "Africa",
        "needed_by": null, "description": "Strengthening the national CERT's incident handling" } })).await?;
    r.ok(
        req,
        &ken,
        json!({ "ProposeMatch": { "state": "KEN", "offer_id": "nor-cert-training" } }),
    )
    .await?;
    r.ok(req, &nor, json!({ "AcceptMatch": { "state": "NOR" } }))
        .await?;
    r.ok(req, &ken, json!({ "AcceptMatch": { "state": "KEN" } }))
        .await?;
    r.ok("/api/v1/capacity/requests/idn-diplomats/commands", who(t, "IDN")?, json!({ "FileRequest": {
        "request_id": "idn-diplomats", "state": "IDN", "area": "international_law", "gap_analysis": null,
        "priority": "Medium", "modality": "Training", "language": "en", "region": "Asia-Pacific",
        "needed_by": null, "description": "Training of diplomats on how international law applies" } })).await?;
    reporting(r, t).await?;
    // The dedicated capacity-building fund: two pledges, what came in, and the first
    // disbursement, to Kenya's CERT project.
    let fund = "/api/v1/funds/poa-trust-fund/commands";
    r.ok(
        fund,
        &sec,
        json!({ "EstablishFund": { "body_id": BODY,
        "name": "Programme of Action trust fund for capacity building", "currency": "USD" } }),
    )
    .await?;
    for (id, kind, donor, recipient, amount, purpose, date) in [
        (
            "nor-pledge-2026",
            "pledge",
            Some("NOR"),
            None,
            500_000,
            "capacity building",
            "2026-11-27",
        ),
        (
            "nld-pledge-2026",
            "pledge",
            Some("NLD"),
            None,
            250_000,
            "capacity building",
            "2026-11-27",
        ),
        (
            "nor-2026-1",
            "contribution",
            Some("NOR"),
            None,
            300_000,
            "capacity building",
            "2026-11-28",
        ),
        (
            "ken-cert-1",
            "disbursement",
            None,
            Some("KE-CIRT/CC national CERT project"),
            120_000,
            "capacity building",
            "2026-11-30",
        ),
    ] {
        r.ok(
            fund,
            &sec,
            json!({ "RecordEntry": { "entry_id": id, "kind": kind,
            "donor": donor.map(|s| json!({ "State": s })), "recipient": recipient,
            "amount": amount, "purpose": purpose, "date": date } }),
        )
        .await?;
    }
    capacity_working_group(r, t).await
}

/// The working group on capacity building (OP-5 of the Declaration): a body of its own under
/// the Programme, with its first meeting convened and its programme of work under way.
async fn capacity_working_group(r: &mut Run<'_>, t: &Tokens) -> Result<(), String> {
    let sec = t.secretariat.clone();
    let members: Vec<&str> = CO_SPONSORS.iter().chain(OTHERS.iter()).copied().collect();
    let body = format!("/api/v1/bodies/{CAPACITY_WORKING_GROUP}/commands");
    r.ok(&body, &sec, json!({ "EstablishBody": {
        "body_id": CAPACITY_WORKING_GROUP, "name": "Working group on capacity building",
        "parent_body": BODY, "founding_document": "PoA/RC.1/2026", "members": members, "rules": null } })).await?;
    r.meeting("poa-cbwg-1", &sec, json!({ "Convene": {
        "meeting_id": "poa-cbwg-1", "body_id": CAPACITY_WORKING_GROUP, "kind": "IntersessionalMeeting",
        "symbol": "PoA/CBWG/2027/1", "title": "First meeting of the working group on capacity building",
        "starts": "2027-03-01", "ends": "2027-03-03", "venue": "Palais des Nations, Geneva",
        "chair": { "name": "Ambassador Grace Wanjiru", "state": "KEN" }, "programme_link": null } })).await?;
    for (id, title, description, due) in [
        ("needs-mapping", "A template for national needs and gap analyses",
         "A common template, so that national gap analyses can be compared and matched with offers of support.", "2027-06-30"),
        ("matching", "Pairing requests for support with offers",
         "Review how requests and offers are paired, and report on the pairs taken up.", "2027-12-31"),
        ("cert-curriculum", "A shared curriculum for national CERTs",
         "Modules that providers of training can reuse, in the six official languages.", "2028-06-30"),
    ] {
        r.ok(&body, &sec, json!({ "AddWorkItem": { "item_id": id, "title": title,
            "description": description, "mandate": "PoA/RC.1/2026", "due": due } })).await?;
    }
    r.ok(&body, &sec, json!({ "RecordWorkItemProgress": { "item_id": "needs-mapping",
        "status": "InProgress", "note": "A first draft of the template was circulated to States for comment.",
        "output": null } })).await?;
    Ok(())
}

/// The reporting schedule: yearly cycles from 2025, four regional cohorts in turn, and a
/// survey template modelled on the national survey of implementation of resolution 70/237.
/// Kenya's national report for the 2026 cycle answers it; Egypt's gap analysis names its
/// priority areas.
async fn reporting(r: &mut Run<'_>, t: &Tokens) -> Result<(), String> {
    let sec = t.secretariat.clone();
    r.ok(&format!("/api/v1/reporting/{BODY}/commands"), &sec, json!({ "SetSchedule": {
        "first_cycle_starts": "2025-01-01", "cycle_months": 12,
        "cohorts": [
            { "name": "Asia-Pacific States", "states": ["CHN", "IDN", "IND", "JPN", "KOR", "PAK", "SGP", "VNM"] },
            { "name": "African States", "states": ["EGY", "GAB", "KEN", "MAR", "NGA", "ZAF"] },
            { "name": "Western European and other States", "states": ["DEU", "DNK", "FIN", "FRA", "ISL", "NOR", "SWE"] },
            { "name": "Latin American and Caribbean States", "states": ["ARG", "BRA", "CHL", "COL", "CUB", "MEX"] } ],
        "questions": [
            { "id": "norms", "text": "Which of the eleven voluntary norms of responsible State behaviour has your State implemented, and how?" },
            { "id": "poc", "text": "Has your State designated national points of contact, diplomatic and technical?" },
            { "id": "cert", "text": "Does your State have a national CERT or CSIRT, and how does it cooperate across borders?" },
            { "id": "needs", "text": "In which areas does your State need capacity-building support?" } ] } })).await?;
    let ken = who(t, "KEN")?.to_owned();
    let path = "/api/v1/submissions/ken-report-2026/commands";
    r.ok(path, &ken, json!({ "Draft": { "submission_id": "ken-report-2026", "body_id": BODY,
        "kind": "NationalImplementationReport", "state": "KEN", "organisation": null,
        "title": "National implementation report of Kenya, 2026", "language": "en",
        "text": "Kenya reports on its implementation of the framework of responsible State behaviour in the use of ICTs since the adoption of resolution 77/37.",
        "resolution": null, "sections": ["norms_rules_principles", "capacity_building"], "paragraphs": ["OP-2"], "topics": [] } })).await?;
    r.ok(path, &ken, json!({ "AnswerSurvey": { "state": "KEN", "organisation": null, "answers": [
        { "question": "poc", "answer": "Yes: the Ministry of Foreign Affairs and the National KE-CIRT/CC." },
        { "question": "cert", "answer": "The National KE-CIRT/CC, a member of FIRST and AfricaCERT." },
        { "question": "needs", "answer": "Incident handling, and training of diplomats on international law." } ] } })).await?;
    r.ok(
        path,
        &ken,
        json!({ "Submit": { "state": "KEN", "organisation": null } }),
    )
    .await?;
    r.ok(
        path,
        &sec,
        json!({ "Publish": { "symbol": "PoA/NR/2026/KEN" } }),
    )
    .await?;
    let egy = who(t, "EGY")?.to_owned();
    let path = "/api/v1/submissions/egy-gaps-2026/commands";
    r.ok(path, &egy, json!({ "Draft": { "submission_id": "egy-gaps-2026", "body_id": BODY,
        "kind": "GapAnalysis", "state": "EGY", "organisation": null,
        "title": "Gap analysis of Egypt, 2026", "language": "en",
        "text": "Egypt's needs lie in incident response capacity and in confidence-building measures with its region.",
        "resolution": null, "sections": ["capacity_building", "confidence_building_measures"], "paragraphs": [], "topics": ["incident response"] } })).await?;
    r.ok(
        path,
        &egy,
        json!({ "Submit": { "state": "EGY", "organisation": null } }),
    )
    .await?;
    r.ok(
        path,
        &sec,
        json!({ "Publish": { "symbol": "PoA/GA/2026/EGY" } }),
    )
    .await?;
    Ok(())
}
