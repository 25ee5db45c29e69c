use super::aggregate::prefix_check;
use super::*;
use crate::domain::values::{Date, DocumentSymbol, Id, LanguageTag, Text};

fn sym(s: &str) -> DocumentSymbol {
    DocumentSymbol::parse(s).unwrap()
}

fn today() -> Date {
    "2026-11-20".parse::<Date>().unwrap()
}

fn run(r: &mut DocumentRegistry, c: DocumentCommand) -> Result<Vec<DocumentEvent>, DocumentError> {
    let events = r.decide(c)?;
    for e in events.clone() {
        cqrs_es::Aggregate::apply(r, e);
    }
    Ok(events)
}

fn issue(series: Series) -> DocumentCommand {
    DocumentCommand::IssueDocument {
        body_id: Id::parse("poa").unwrap(),
        prefix: sym("PoA/RC.1/2026"),
        series,
        title: Text::parse("Draft final document").unwrap(),
        distribution: Distribution::Limited,
        language: LanguageTag::En,
        links: vec![],
        now: today(),
    }
}

fn issued(events: &[DocumentEvent]) -> String {
    match &events[0] {
        DocumentEvent::DocumentIssued { symbol, .. }
        | DocumentEvent::RelatedDocumentIssued { symbol, .. } => symbol.to_string(),
        other => panic!("{other:?}"),
    }
}

fn related(to: &str, relation: Relation) -> DocumentCommand {
    DocumentCommand::IssueRelated {
        to: sym(to),
        relation,
        title: None,
        language: LanguageTag::En,
        now: today(),
    }
}

#[test]
fn each_series_numbers_from_one_under_its_prefix() {
    let mut r = DocumentRegistry::default();
    assert_eq!(
        issued(&run(&mut r, issue(Series::Main)).unwrap()),
        "PoA/RC.1/2026/1"
    );
    assert_eq!(
        issued(&run(&mut r, issue(Series::Main)).unwrap()),
        "PoA/RC.1/2026/2"
    );
    assert_eq!(
        issued(&run(&mut r, issue(Series::L)).unwrap()),
        "PoA/RC.1/2026/L.1"
    );
    assert_eq!(
        issued(&run(&mut r, issue(Series::Crp)).unwrap()),
        "PoA/RC.1/2026/CRP.1"
    );
    assert_eq!(
        issued(&run(&mut r, issue(Series::Inf)).unwrap()),
        "PoA/RC.1/2026/INF.1"
    );
    assert_eq!(
        issued(&run(&mut r, issue(Series::Wp)).unwrap()),
        "PoA/RC.1/2026/WP.1"
    );
    assert_eq!(
        issued(&run(&mut r, issue(Series::L)).unwrap()),
        "PoA/RC.1/2026/L.2"
    );
}

#[test]
fn revisions_addenda_and_corrigenda_relate_to_the_original() {
    let mut r = DocumentRegistry::default();
    run(&mut r, issue(Series::L)).unwrap();
    let rev1 = issued(&run(&mut r, related("PoA/RC.1/2026/L.1", Relation::Revision)).unwrap());
    assert_eq!(rev1, "PoA/RC.1/2026/L.1/Rev.1");
    // A revision of the revision is the original's second.
    let rev2 = issued(&run(&mut r, related(&rev1, Relation::Revision)).unwrap());
    assert_eq!(rev2, "PoA/RC.1/2026/L.1/Rev.2");
    let add = issued(&run(&mut r, related("PoA/RC.1/2026/L.1", Relation::Addendum)).unwrap());
    assert_eq!(add, "PoA/RC.1/2026/L.1/Add.1");
    let corr = issued(&run(&mut r, related("PoA/RC.1/2026/L.1", Relation::Corrigendum)).unwrap());
    assert_eq!(corr, "PoA/RC.1/2026/L.1/Corr.1");
    let original = &r.documents[&sym("PoA/RC.1/2026/L.1")];
    assert_eq!(
        original.replaced_by,
        Some(sym(&rev2)),
        "the latest revision replaces it"
    );
    assert_eq!(
        r.documents[&sym(&add)].related_to,
        Some((Relation::Addendum, sym("PoA/RC.1/2026/L.1")))
    );
    // The original is never rewritten: its title and date stay.
    assert_eq!(original.title.as_str(), "Draft final document");
    assert_eq!(
        run(&mut r, related("PoA/RC.1/2026/L.9", Relation::Revision)),
        Err(DocumentError::UnknownDocument(sym("PoA/RC.1/2026/L.9")))
    );
}

#[test]
fn external_documents_are_registered_under_their_own_symbols_and_never_revised_here() {
    let mut r = DocumentRegistry::default();
    let ga = DocumentCommand::RegisterExternal {
        body_id: Id::parse("poa").unwrap(),
        symbol: sym("A/RES/77/37"),
        title: Text::parse("Programme of action to advance responsible State behaviour").unwrap(),
        issuer: Text::parse("General Assembly").unwrap(),
        date: Some("2022-12-07".parse::<Date>().unwrap()),
    };
    run(&mut r, ga.clone()).unwrap();
    assert!(r.has("A/RES/77/37"));
    assert_eq!(
        run(&mut r, ga),
        Err(DocumentError::SymbolTaken(sym("A/RES/77/37")))
    );
    assert_eq!(
        run(&mut r, related("A/RES/77/37", Relation::Revision)),
        Err(DocumentError::External(sym("A/RES/77/37")))
    );
}

#[test]
fn prefixes_language_versions_and_the_body_are_checked() {
    let mut r = DocumentRegistry::default();
    run(&mut r, issue(Series::Main)).unwrap();
    assert!(prefix_check("PoA/RC.1/2026/L.1") && prefix_check("A/CONF.1/Rev.2"));
    assert!(!prefix_check("PoA/RC.1/2026") && !prefix_check("A/CONF.230"));
    let mut bad = issue(Series::L);
    if let DocumentCommand::IssueDocument { prefix, .. } = &mut bad {
        *prefix = sym("PoA/RC.1/2026/1");
    }
    assert_eq!(
        run(&mut r, bad),
        Err(DocumentError::NotAPrefix(sym("PoA/RC.1/2026/1")))
    );
    // Another body issuing under the same prefix continues the same numbers: a symbol is
    // issued once in the house.
    let mut other = issue(Series::Main);
    if let DocumentCommand::IssueDocument { body_id, .. } = &mut other {
        *body_id = Id::parse("oewg").unwrap();
    }
    assert_eq!(issued(&run(&mut r, other).unwrap()), "PoA/RC.1/2026/2");
    assert_eq!(
        r.documents[&sym("PoA/RC.1/2026/2")].body_id.as_str(),
        "oewg"
    );
    let fr = DocumentCommand::AddLanguageVersion {
        symbol: sym("PoA/RC.1/2026/1"),
        language: LanguageTag::Fr,
        origin: VersionOrigin::Human,
        now: today(),
    };
    run(&mut r, fr.clone()).unwrap();
    assert!(matches!(
        run(&mut r, fr),
        Err(DocumentError::LanguageVersionExists { .. })
    ));
    assert_eq!(r.documents[&sym("PoA/RC.1/2026/1")].languages.len(), 2);
}

proptest::proptest! {
    /// Whatever is issued, in any order, no symbol is issued twice and each series counts
    /// up from one without gaps.
    #[test]
    fn symbols_are_unique_and_numbers_have_no_gaps(picks in proptest::collection::vec(0u8..8, 1..40)) {
        let mut r = DocumentRegistry::default();
        let mut seen = std::collections::BTreeSet::new();
        for p in picks {
            let cmd = match p {
                0 => issue(Series::Main),
                1 => issue(Series::L),
                2 => issue(Series::Crp),
                3 => issue(Series::Inf),
                4 => issue(Series::Wp),
                5 => related("PoA/RC.1/2026/L.1", Relation::Revision),
                6 => related("PoA/RC.1/2026/1", Relation::Corrigendum),
                _ => related("PoA/RC.1/2026/CRP.1", Relation::Addendum),
            };
            if let Ok(events) = run(&mut r, cmd) {
                proptest::prop_assert!(seen.insert(issued(&events)));
            }
        }
        for last in r.numbers.values() {
            proptest::prop_assert!(*last >= 1);
        }
        let count = |prefix: &str| r.documents.keys().filter(|k| k.as_str().starts_with(prefix) && !k.as_str()[prefix.len()..].contains('/')).count() as u32;
        proptest::prop_assert_eq!(count("PoA/RC.1/2026/L."), r.numbers.get("PoA/RC.1/2026/L.").copied().unwrap_or(0));
        // The state is stored as JSON (snapshots, state views): it must serialize.
        proptest::prop_assert!(serde_json::to_string(&r).is_ok());
    }
}

#[test]
fn documents_linked_to_a_record_are_found_and_restricted_ones_only_for_those_who_may_see_them() {
    let mut r = DocumentRegistry::default();
    let amendment = DocumentLink::Amendment {
        amendment_id: Id::parse("am-1").unwrap(),
    };
    let with = |distribution, links| DocumentCommand::IssueDocument {
        body_id: Id::parse("poa").unwrap(),
        prefix: sym("PoA/RC.1/2026"),
        series: Series::L,
        title: Text::parse("Amendment to OP-1").unwrap(),
        distribution,
        language: LanguageTag::En,
        links,
        now: today(),
    };
    run(&mut r, with(Distribution::Limited, vec![amendment.clone()])).unwrap();
    run(&mut r, with(Distribution::General, vec![])).unwrap();
    run(
        &mut r,
        with(Distribution::Restricted, vec![amendment.clone()]),
    )
    .unwrap();
    assert_eq!(r.linked_to(&amendment, false), ["PoA/RC.1/2026/L.1"]);
    assert_eq!(
        r.linked_to(&amendment, true),
        ["PoA/RC.1/2026/L.1", "PoA/RC.1/2026/L.3"]
    );
    let other = DocumentLink::Amendment {
        amendment_id: Id::parse("am-2").unwrap(),
    };
    assert!(r.linked_to(&other, true).is_empty());
}
