//! Validation, rule by rule: each test starts from a small model with no diagnostics at all,
//! breaks one thing, and checks that exactly the expected diagnostics appear, with their
//! severity, code, element, field and the key words of their message.

use causeway::model::partitioner::partition_for_key;
use causeway::model::validate::{MAX_PARTITIONS, MIN_RETENTION_MS};
use causeway::model::*;

use Severity::{Error, Info, Warning};

// ---------------------------------------------------------------------------------------------
// The base model and helpers

/// A small model that draws no diagnostic: two event types on their own topics, a dead-letter
/// topic, a producer, a consumer group that reacts, a scenario and one canvas position.
const BASE: &str = r#"(
    format: 1,
    name: "base",
    event_types: [
        (
            id: "OrderPlaced",
            namespace: "com.shop",
            versions: [(fields: [(name: "order_id", type: Uuid), (name: "amount", type: Double)])],
        ),
        (
            id: "OrderShipped",
            namespace: "com.shop",
            versions: [(fields: [(name: "order_id", type: Uuid)])],
        ),
    ],
    topics: [
        (id: "orders", partitions: 6, replication_factor: 3, min_insync_replicas: 2, event_types: ["OrderPlaced"]),
        (id: "shipments", partitions: 6, replication_factor: 3, min_insync_replicas: 2, event_types: ["OrderShipped"]),
        (id: "orders.dlt", partitions: 1, replication_factor: 3, min_insync_replicas: 2, event_types: ["OrderPlaced"]),
    ],
    producers: [
        (
            id: "checkout",
            topics: ["orders"],
            event_types: ["OrderPlaced"],
            rate: Poisson(per_second: 100.0),
            keys: Uniform(keys: 10000, prefix: "order-"),
            record_size: Constant(bytes: 500),
        ),
    ],
    consumer_groups: [
        (
            id: "shipping",
            topics: ["orders"],
            members: 3,
            processing_time: Constant(ms: 5.0),
            commit: AfterEach,
            idempotent: true,
            reactions: [(on: "OrderPlaced", emit: "OrderShipped", topic: "shipments")],
        ),
    ],
    scenarios: [(name: "steady", duration_ms: 60000)],
    layout: (positions: {"orders": (x: 0.0, y: 0.0)}),
)"#;

fn base() -> Model {
    load(BASE).unwrap_or_else(|e| panic!("the base model loads: {e}"))
}

fn topic<'m>(model: &'m mut Model, id: &str) -> &'m mut Topic {
    model
        .topics
        .iter_mut()
        .find(|t| t.id == id)
        .expect("the topic exists")
}

fn producer<'m>(model: &'m mut Model, id: &str) -> &'m mut Producer {
    model
        .producers
        .iter_mut()
        .find(|p| p.id == id)
        .expect("the producer exists")
}

fn group<'m>(model: &'m mut Model, id: &str) -> &'m mut ConsumerGroup {
    model
        .consumer_groups
        .iter_mut()
        .find(|g| g.id == id)
        .expect("the group exists")
}

fn scenario(model: &mut Model) -> &mut Scenario {
    &mut model.scenarios[0]
}

fn field(name: &str, ty: AvroType) -> Field {
    Field {
        name: name.to_owned(),
        ty,
        default: None,
        doc: String::new(),
        aliases: Vec::new(),
    }
}

fn field_with_default(name: &str, ty: AvroType, default: AvroDefault) -> Field {
    Field {
        default: Some(default),
        ..field(name, ty)
    }
}

/// An event type with one schema version holding `fields`; nothing refers to it.
fn event_type(id: &str, fields: Vec<Field>) -> EventType {
    EventType {
        id: id.to_owned(),
        namespace: "com.shop".to_owned(),
        kind: EventKind::Domain,
        doc: String::new(),
        compatibility: Compatibility::Backward,
        versions: vec![SchemaVersion {
            fields,
            ..SchemaVersion::default()
        }],
    }
}

fn with_event(fields: Vec<Field>) -> Model {
    let mut m = base();
    m.event_types.push(event_type("Extra", fields));
    m
}

fn new_topic(id: &str, partitions: u32, events: &[&str]) -> Topic {
    Topic {
        id: id.to_owned(),
        partitions,
        replication_factor: 3,
        min_insync_replicas: 2,
        retention: Retention::default(),
        cleanup_policy: CleanupPolicy::Delete,
        event_types: events.iter().map(|e| (*e).to_owned()).collect(),
        subject_strategy: SubjectStrategy::TopicName,
    }
}

fn new_event(id: &str) -> EventType {
    event_type(id, vec![field("id", AvroType::String)])
}

fn reaction(on: &str, emit: &str, topic: &str, probability: f64, fan_out: u32) -> Reaction {
    Reaction {
        on: Some(on.to_owned()),
        emit: emit.to_owned(),
        topic: topic.to_owned(),
        probability,
        fan_out,
    }
}

/// A copy of the base's group, renamed, subscribed to `topics`, with `reactions`.
fn new_group(model: &Model, id: &str, topics: &[&str], reactions: Vec<Reaction>) -> ConsumerGroup {
    let mut g = model.consumer_groups[0].clone();
    g.id = id.to_owned();
    g.topics = topics.iter().map(|t| (*t).to_owned()).collect();
    g.reactions = reactions;
    g
}

/// Validates `model` and checks that its diagnostics have exactly the `expected` codes (in any
/// order, with repeats).
#[track_caller]
fn only(model: &Model, expected: &[&str]) -> Vec<Diagnostic> {
    let diagnostics = validate(model);
    let mut got: Vec<&str> = diagnostics.iter().map(|d| d.code).collect();
    got.sort_unstable();
    let mut want = expected.to_vec();
    want.sort_unstable();
    assert_eq!(got, want, "diagnostics: {diagnostics:#?}");
    diagnostics
}

/// The single diagnostic `model` draws, which must have `code`.
#[track_caller]
fn one(model: &Model, code: &str) -> Diagnostic {
    only(model, &[code]).remove(0)
}

/// The only diagnostic with `code` among `diagnostics`.
#[track_caller]
fn with_code<'d>(diagnostics: &'d [Diagnostic], code: &str) -> &'d Diagnostic {
    let found: Vec<&Diagnostic> = diagnostics.iter().filter(|d| d.code == code).collect();
    assert_eq!(found.len(), 1, "one `{code}` in {diagnostics:#?}");
    found[0]
}

/// Checks every part of a diagnostic: severity, element, field, and words of the message.
#[track_caller]
fn check(
    d: &Diagnostic,
    severity: Severity,
    kind: ElementKind,
    id: &str,
    field: &str,
    words: &[&str],
) {
    assert_eq!(d.severity, severity, "{d:#?}");
    assert_eq!(d.element, ElementRef::new(kind, id), "{d:#?}");
    assert_eq!(d.field.as_deref(), Some(field), "{d:#?}");
    for word in words {
        assert!(
            d.message.contains(word),
            "the message of `{}` lacks {word:?}: {:?}",
            d.code,
            d.message
        );
    }
}

#[track_caller]
fn hint(d: &Diagnostic) -> &str {
    d.hint
        .as_deref()
        .unwrap_or_else(|| panic!("a hint on {d:#?}"))
}

// ---------------------------------------------------------------------------------------------
// The base model, and validation as a whole

#[test]
fn the_base_model_draws_no_diagnostic_at_all() {
    only(&base(), &[]);
}

#[test]
fn every_example_model_has_no_errors() {
    for example in causeway::examples::EXAMPLES {
        let model = load(example.text).unwrap_or_else(|e| panic!("{}: {e}", example.name));
        let errors: Vec<Diagnostic> = validate(&model)
            .into_iter()
            .filter(|d| d.severity == Error)
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", example.name);
    }
}

#[test]
fn validation_reports_every_problem_not_just_the_first() {
    let mut m = base();
    m.name = String::new();
    topic(&mut m, "shipments").min_insync_replicas = 4;
    group(&mut m, "shipping").members = 0;
    let diagnostics = only(&m, &["model-name", "min-isr-above-rf", "members-range"]);
    assert!(diagnostics.iter().all(|d| d.severity == Error));
    // Errors keep the order of the rules: the model, then topics, then groups.
    let codes: Vec<&str> = diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["model-name", "min-isr-above-rf", "members-range"]);
}

#[test]
fn errors_come_before_warnings_and_warnings_before_infos() {
    let mut m = base();
    // Found early (topics), a warning; found late (scenarios, layout), an error and an info.
    topic(&mut m, "orders").replication_factor = 2;
    scenario(&mut m).duration_ms = 0;
    m.layout
        .positions
        .insert("ghost".to_owned(), Position { x: 1.0, y: 2.0 });
    group(&mut m, "shipping").idempotent = false;
    let diagnostics = only(
        &m,
        &[
            "replication-factor-low",
            "scenario-duration",
            "layout-orphan",
            "consumer-not-idempotent",
        ],
    );
    let order: Vec<(Severity, &str)> = diagnostics.iter().map(|d| (d.severity, d.code)).collect();
    assert_eq!(
        order,
        [
            (Error, "scenario-duration"),
            (Warning, "replication-factor-low"),
            (Warning, "consumer-not-idempotent"),
            (Info, "layout-orphan"),
        ]
    );
}

#[test]
fn validation_is_deterministic() {
    let mut m = base();
    m.name = " ".to_owned();
    topic(&mut m, "orders").partitions = 0;
    producer(&mut m, "checkout").acks = Acks::One;
    assert_eq!(validate(&m), validate(&m.clone()));
}

#[test]
fn diagnostics_display_severity_message_and_hint() {
    let mut m = base();
    topic(&mut m, "orders").min_insync_replicas = 1;
    let d = one(&m, "min-isr-low");
    assert_eq!(
        d.to_string(),
        format!("warning: {} (hint: {})", d.message, hint(&d))
    );
}

// ---------------------------------------------------------------------------------------------
// Ids

#[test]
fn an_empty_model_name_is_an_error() {
    let mut m = base();
    m.name = "   ".to_owned();
    let d = one(&m, "model-name");
    check(
        &d,
        Error,
        ElementKind::Model,
        "",
        "name",
        &["the model has no name"],
    );
}

#[test]
fn two_topics_with_one_id_are_an_error_on_the_second() {
    let mut m = base();
    let copy = m.topics[1].clone();
    m.topics.push(copy);
    let d = one(&m, "duplicate-id");
    check(
        &d,
        Error,
        ElementKind::Topic,
        "shipments",
        "id",
        &["two topics are called `shipments`"],
    );
    assert!(hint(&d).contains("rename"));
}

#[test]
fn elements_of_different_kinds_share_one_id_space() {
    let mut m = base();
    m.topics.push(new_topic("checkout", 3, &["OrderPlaced"]));
    let d = one(&m, "duplicate-id");
    // Producers come first, so the topic is the duplicate.
    check(
        &d,
        Error,
        ElementKind::Topic,
        "checkout",
        "id",
        &["the id `checkout` is used by a producer and a topic"],
    );
}

#[test]
fn duplicate_event_types_scenarios_notes_and_brokers_are_errors() {
    let mut m = base();
    m.event_types.push(new_event("OrderShipped"));
    let d = one(&m, "duplicate-id");
    check(
        &d,
        Error,
        ElementKind::EventType,
        "OrderShipped",
        "id",
        &["two event types are called `OrderShipped`"],
    );

    let mut m = base();
    let copy = m.scenarios[0].clone();
    m.scenarios.push(copy);
    let d = one(&m, "duplicate-id");
    check(
        &d,
        Error,
        ElementKind::Scenario,
        "steady",
        "name",
        &["two scenarios are called `steady`"],
    );

    let mut m = base();
    let note = CanvasNote {
        id: "n1".to_owned(),
        text: "hello".to_owned(),
        position: Position::default(),
    };
    m.layout.notes = vec![note.clone(), note];
    let d = one(&m, "duplicate-id");
    check(
        &d,
        Error,
        ElementKind::CanvasNote,
        "n1",
        "id",
        &["two canvas notes are called `n1`"],
    );

    let mut m = base();
    m.cluster.brokers[2].id = 2;
    let d = one(&m, "duplicate-id");
    check(
        &d,
        Error,
        ElementKind::Broker,
        "2",
        "id",
        &["two brokers have id 2"],
    );
}

#[test]
fn an_empty_id_is_an_error() {
    let mut m = base();
    m.topics.push(new_topic(" ", 3, &["OrderPlaced"]));
    let d = one(&m, "empty-id");
    check(
        &d,
        Error,
        ElementKind::Topic,
        " ",
        "id",
        &["a topic has an empty id"],
    );
}

#[test]
fn an_id_with_control_characters_is_an_error() {
    let mut m = base();
    m.topics.push(new_topic("bad\nid", 3, &["OrderPlaced"]));
    let d = one(&m, "invalid-id");
    check(
        &d,
        Error,
        ElementKind::Topic,
        "bad\nid",
        "id",
        &["the topic id \"bad\\nid\" contains control characters"],
    );
}

// ---------------------------------------------------------------------------------------------
// Cluster

#[test]
fn a_cluster_without_brokers_is_an_error_and_no_topic_fits_on_it() {
    let mut m = base();
    m.cluster.brokers.clear();
    let diagnostics = only(
        &m,
        &[
            "no-brokers",
            "replication-factor-brokers",
            "replication-factor-brokers",
            "replication-factor-brokers",
        ],
    );
    let d = with_code(&diagnostics, "no-brokers");
    check(
        &d.clone(),
        Error,
        ElementKind::Model,
        "",
        "brokers",
        &["the cluster has no brokers"],
    );
}

#[test]
fn a_broker_without_write_capacity_is_an_error() {
    for capacity in [0.0, -5.0, f64::NAN, f64::INFINITY] {
        let mut m = base();
        m.cluster.brokers[0].write_mb_per_s = capacity;
        let d = one(&m, "broker-capacity");
        check(
            &d,
            Error,
            ElementKind::Broker,
            "1",
            "write_mb_per_s",
            &["broker 1", &format!("{capacity} MB/s"), "above 0"],
        );
    }
}

#[test]
fn a_negative_or_non_finite_number_is_an_error() {
    for (latency, says) in [
        (-0.5, "is -0.5, but it must be a number ≥ 0"),
        (f64::NAN, "is NaN, but it must be a finite number ≥ 0"),
        (f64::INFINITY, "is inf, but it must be a finite number ≥ 0"),
        (-1e300, "is -1e300, but it must be a number ≥ 0"),
    ] {
        let mut m = base();
        m.cluster.network_latency_ms = latency;
        let d = one(&m, "negative-value");
        check(
            &d,
            Error,
            ElementKind::Model,
            "",
            "network_latency_ms",
            &["`network_latency_ms` ", says],
        );
    }
    let mut m = base();
    producer(&mut m, "checkout").rate = RateProcess::Poisson { per_second: -1.0 };
    let d = one(&m, "negative-value");
    check(
        &d,
        Error,
        ElementKind::Producer,
        "checkout",
        "rate",
        &["`rate` is -1"],
    );
}

// ---------------------------------------------------------------------------------------------
// Event types and Avro schemas

#[test]
fn invalid_avro_names_are_errors() {
    let mut m = base();
    m.event_types.push(new_event("1stEvent"));
    let d = one(&m, "avro-name");
    check(
        &d,
        Error,
        ElementKind::EventType,
        "1stEvent",
        "id",
        &["`1stEvent` is not a valid Avro record name"],
    );

    let mut m = base();
    m.event_types[0].namespace = "com.my-shop".to_owned();
    let d = one(&m, "avro-name");
    check(
        &d,
        Error,
        ElementKind::EventType,
        "OrderPlaced",
        "namespace",
        &["`com.my-shop` is not a valid Avro namespace"],
    );

    let m = with_event(vec![field("order id", AvroType::String)]);
    let d = one(&m, "avro-name");
    check(
        &d,
        Error,
        ElementKind::EventType,
        "Extra",
        "fields",
        &["version 1", "`order id` is not a valid Avro field name"],
    );

    let m = with_event(vec![field(
        "status",
        AvroType::Enum(EnumType {
            name: "Status".to_owned(),
            namespace: String::new(),
            doc: String::new(),
            aliases: Vec::new(),
            symbols: vec!["OK".to_owned(), "not-ok".to_owned()],
            default: None,
        }),
    )]);
    let d = one(&m, "avro-name");
    check(
        &d,
        Error,
        ElementKind::EventType,
        "Extra",
        "fields",
        &["`not-ok` is not a valid enum symbol"],
    );
}

#[test]
fn an_event_type_without_versions_is_an_error() {
    let mut m = base();
    let mut event = new_event("Empty");
    event.versions.clear();
    m.event_types.push(event);
    let d = one(&m, "no-schema-versions");
    check(
        &d,
        Error,
        ElementKind::EventType,
        "Empty",
        "versions",
        &["event type `Empty` has no schema version"],
    );
}

#[test]
fn a_field_named_twice_is_an_error() {
    let m = with_event(vec![
        field("id", AvroType::String),
        field("id", AvroType::Long),
    ]);
    let d = one(&m, "duplicate-field");
    check(
        &d,
        Error,
        ElementKind::EventType,
        "Extra",
        "fields",
        &["version 1", "field `id` appears twice"],
    );
}

#[test]
fn a_default_that_does_not_fit_its_type_is_an_error() {
    let m = with_event(vec![field_with_default(
        "count",
        AvroType::Int,
        AvroDefault::String("many".to_owned()),
    )]);
    let d = one(&m, "avro-default");
    check(
        &d,
        Error,
        ElementKind::EventType,
        "Extra",
        "fields",
        &[
            "field `count`",
            "the default does not fit the type",
            "int cannot take \"many\"",
        ],
    );

    let m = with_event(vec![field_with_default(
        "count",
        AvroType::Int,
        AvroDefault::Int(1 << 40),
    )]);
    let d = one(&m, "avro-default");
    assert!(d.message.contains("does not fit in a 32-bit int"), "{d:#?}");

    // A union's default may match any branch (Avro 1.12), and a long takes a large integer.
    let m = with_event(vec![
        field_with_default(
            "note",
            AvroType::Union(vec![AvroType::Null, AvroType::String]),
            AvroDefault::String("x".to_owned()),
        ),
        field_with_default("big", AvroType::Long, AvroDefault::Int(1 << 40)),
    ]);
    only(&m, &[]);
}

#[test]
fn a_decimal_needs_a_precision_and_a_scale_within_it() {
    let m = with_event(vec![field(
        "amount",
        AvroType::Decimal {
            precision: 0,
            scale: 0,
        },
    )]);
    let d = one(&m, "avro-decimal");
    check(
        &d,
        Error,
        ElementKind::EventType,
        "Extra",
        "fields",
        &["field `amount`", "precision of at least 1"],
    );

    let m = with_event(vec![field(
        "amount",
        AvroType::Decimal {
            precision: 4,
            scale: 6,
        },
    )]);
    let d = one(&m, "avro-decimal");
    assert!(
        d.message
            .contains("decimal scale 6 exceeds its precision 4"),
        "{d:#?}"
    );
}

#[test]
fn enum_symbols_must_exist_be_distinct_and_include_the_default() {
    let enum_of = |symbols: &[&str], default: Option<&str>| {
        field(
            "status",
            AvroType::Enum(EnumType {
                name: "Status".to_owned(),
                namespace: String::new(),
                doc: String::new(),
                aliases: Vec::new(),
                symbols: symbols.iter().map(|s| (*s).to_owned()).collect(),
                default: default.map(str::to_owned),
            }),
        )
    };
    let d = one(&with_event(vec![enum_of(&[], None)]), "avro-enum");
    check(
        &d,
        Error,
        ElementKind::EventType,
        "Extra",
        "fields",
        &["enum `Status` has no symbols"],
    );
    let d = one(&with_event(vec![enum_of(&["A", "A"], None)]), "avro-enum");
    assert!(
        d.message.contains("enum symbol `A` appears twice"),
        "{d:#?}"
    );
    let d = one(
        &with_event(vec![enum_of(&["A", "B"], Some("C"))]),
        "avro-enum",
    );
    assert!(
        d.message
            .contains("enum default `C` is not one of its symbols"),
        "{d:#?}"
    );
    only(&with_event(vec![enum_of(&["A", "B"], Some("B"))]), &[]);
}

#[test]
fn unions_need_distinct_branches_and_no_nested_unions() {
    // A uuid is a string to Avro: the two branches clash.
    let m = with_event(vec![field(
        "id",
        AvroType::Union(vec![AvroType::Null, AvroType::String, AvroType::Uuid]),
    )]);
    let d = one(&m, "avro-union");
    check(
        &d,
        Error,
        ElementKind::EventType,
        "Extra",
        "fields",
        &["field `id`", "the union has two `string` branches"],
    );

    let m = with_event(vec![field(
        "id",
        AvroType::Union(vec![AvroType::Null, AvroType::Union(vec![AvroType::Int])]),
    )]);
    let d = one(&m, "avro-union");
    assert!(
        d.message
            .contains("a union may not directly contain a union"),
        "{d:#?}"
    );

    let m = with_event(vec![field("id", AvroType::Union(Vec::new()))]);
    let d = one(&m, "avro-union");
    assert!(d.message.contains("the union has no branches"), "{d:#?}");

    // Two records of different names are fine.
    let record = |name: &str| {
        AvroType::Record(RecordType {
            name: name.to_owned(),
            namespace: String::new(),
            doc: String::new(),
            aliases: Vec::new(),
            fields: vec![field("x", AvroType::Int)],
        })
    };
    let m = with_event(vec![field(
        "either",
        AvroType::Union(vec![record("A"), record("B")]),
    )]);
    only(&m, &[]);
}

// ---------------------------------------------------------------------------------------------
// Topics

#[test]
fn partitions_must_be_between_1_and_100000() {
    for partitions in [0, MAX_PARTITIONS + 1, u32::MAX] {
        let mut m = base();
        topic(&mut m, "shipments").partitions = partitions;
        let d = one(&m, "partitions-range");
        check(
            &d,
            Error,
            ElementKind::Topic,
            "shipments",
            "partitions",
            &[
                &format!("topic `shipments` has {partitions} partitions"),
                "between 1 and 100000",
            ],
        );
    }
    for partitions in [1, MAX_PARTITIONS] {
        let mut m = base();
        topic(&mut m, "shipments").partitions = partitions;
        only(&m, &[]);
    }
}

#[test]
fn a_replication_factor_of_zero_is_an_error() {
    let mut m = base();
    let t = topic(&mut m, "shipments");
    t.replication_factor = 0;
    t.min_insync_replicas = 1;
    let diagnostics = only(&m, &["replication-factor-range", "min-isr-above-rf"]);
    let d = with_code(&diagnostics, "replication-factor-range");
    check(
        d,
        Error,
        ElementKind::Topic,
        "shipments",
        "replication_factor",
        &["topic `shipments` has a replication factor of 0"],
    );
}

#[test]
fn a_replication_factor_above_the_broker_count_is_an_error() {
    let mut m = base();
    topic(&mut m, "orders").replication_factor = 4;
    let d = one(&m, "replication-factor-brokers");
    check(
        &d,
        Error,
        ElementKind::Topic,
        "orders",
        "replication_factor",
        &["topic `orders` asks for 4 replicas but the cluster has 3 brokers"],
    );

    let mut m = base();
    m.cluster.brokers.truncate(1);
    for t in &mut m.topics {
        t.replication_factor = 1;
        t.min_insync_replicas = 1;
    }
    topic(&mut m, "orders").replication_factor = 2;
    let diagnostics = validate(&m);
    let d = with_code(&diagnostics, "replication-factor-brokers");
    assert!(
        d.message
            .contains("asks for 2 replicas but the cluster has 1 broker"),
        "{d:#?}"
    );
}

#[test]
fn min_insync_replicas_of_zero_is_an_error() {
    let mut m = base();
    topic(&mut m, "orders").min_insync_replicas = 0;
    let d = one(&m, "min-isr-range");
    check(
        &d,
        Error,
        ElementKind::Topic,
        "orders",
        "min_insync_replicas",
        &["topic `orders` has min_insync_replicas 0", "the least is 1"],
    );
}

#[test]
fn min_insync_replicas_above_the_replication_factor_is_an_error() {
    let mut m = base();
    topic(&mut m, "orders").min_insync_replicas = 4;
    let d = one(&m, "min-isr-above-rf");
    check(
        &d,
        Error,
        ElementKind::Topic,
        "orders",
        "min_insync_replicas",
        &[
            "min_insync_replicas 4 above its replication factor 3",
            "every acks=all write would be refused",
        ],
    );
    // Equal is allowed (if unwise for availability).
    let mut m = base();
    topic(&mut m, "orders").min_insync_replicas = 3;
    only(&m, &[]);
}

#[test]
fn a_replication_factor_below_3_is_a_warning() {
    let mut m = base();
    topic(&mut m, "orders").replication_factor = 2;
    let d = one(&m, "replication-factor-low");
    check(
        &d,
        Warning,
        ElementKind::Topic,
        "orders",
        "replication_factor",
        &["replication factor 2", "losing 2 brokers loses its data"],
    );
    assert!(hint(&d).contains("replication_factor 3"));

    let mut m = base();
    let t = topic(&mut m, "orders");
    t.replication_factor = 1;
    t.min_insync_replicas = 1;
    let diagnostics = only(&m, &["replication-factor-low", "min-isr-low"]);
    let d = with_code(&diagnostics, "replication-factor-low");
    assert!(d.message.contains("losing 1 broker loses"), "{d:#?}");
}

#[test]
fn min_insync_replicas_below_2_is_a_warning() {
    let mut m = base();
    topic(&mut m, "orders").min_insync_replicas = 1;
    let d = one(&m, "min-isr-low");
    check(
        &d,
        Warning,
        ElementKind::Topic,
        "orders",
        "min_insync_replicas",
        &[
            "min_insync_replicas 1",
            "acknowledged by one replica and lost",
        ],
    );
}

#[test]
fn retention_under_7_days_is_a_warning() {
    let mut m = base();
    topic(&mut m, "orders").retention.time_ms = Some(86_400_000);
    let d = one(&m, "retention-short");
    check(
        &d,
        Warning,
        ElementKind::Topic,
        "orders",
        "retention",
        &["topic `orders` keeps records for 1 day", "loses data"],
    );
    assert!(hint(&d).contains("7 days"));

    let mut m = base();
    topic(&mut m, "orders").retention.time_ms = Some(36 * 3_600_000);
    let d = one(&m, "retention-short");
    assert!(d.message.contains("keeps records for 36 hours"), "{d:#?}");

    // One millisecond short of a week still warns, and does not claim to be a week.
    let mut m = base();
    topic(&mut m, "orders").retention.time_ms = Some(MIN_RETENTION_MS - 1);
    let d = one(&m, "retention-short");
    assert!(d.message.contains("keeps records for 6.9 days"), "{d:#?}");

    // A week, and forever, are fine.
    for time_ms in [Some(MIN_RETENTION_MS), None] {
        let mut m = base();
        topic(&mut m, "orders").retention.time_ms = time_ms;
        only(&m, &[]);
    }
}

#[test]
fn a_topic_carrying_a_missing_event_type_is_an_error_with_a_suggestion() {
    let mut m = base();
    topic(&mut m, "shipments").event_types = vec!["OrderShiped".to_owned()];
    // The base's reaction now emits to a topic that does not carry `OrderShipped`.
    let diagnostics = only(&m, &["unknown-event-type", "reaction-event-not-carried"]);
    let d = with_code(&diagnostics, "unknown-event-type");
    check(
        d,
        Error,
        ElementKind::Topic,
        "shipments",
        "event_types",
        &["topic `shipments` refers to event type `OrderShiped`, which does not exist"],
    );
    assert_eq!(hint(d), "did you mean `OrderShipped`?");

    let mut m = base();
    topic(&mut m, "orders.dlt").event_types = vec!["Nothing".to_owned()];
    let d = one(&m, "unknown-event-type");
    assert_eq!(d.hint, None, "no event type is close to `Nothing`");
}

#[test]
fn several_event_types_under_the_topic_name_strategy_is_a_warning() {
    let mut m = base();
    topic(&mut m, "orders")
        .event_types
        .push("OrderShipped".to_owned());
    let d = one(&m, "subject-strategy-mixed");
    check(
        &d,
        Warning,
        ElementKind::Topic,
        "orders",
        "subject_strategy",
        &[
            "carries 2 event types",
            "topic-name subject strategy",
            "`orders-value`",
        ],
    );
    assert!(hint(&d).contains("RecordName"));

    for strategy in [
        SubjectStrategy::RecordName,
        SubjectStrategy::TopicRecordName,
    ] {
        let mut m = base();
        let t = topic(&mut m, "orders");
        t.event_types.push("OrderShipped".to_owned());
        t.subject_strategy = strategy;
        only(&m, &[]);
    }
}

// ---------------------------------------------------------------------------------------------
// Producers

#[test]
fn a_producer_without_a_topic_is_an_error() {
    let mut m = base();
    producer(&mut m, "checkout").topics.clear();
    let d = one(&m, "producer-no-topic");
    check(
        &d,
        Error,
        ElementKind::Producer,
        "checkout",
        "topics",
        &["producer `checkout` has no target topic"],
    );
}

#[test]
fn a_producer_writing_to_a_missing_topic_is_an_error_with_a_suggestion() {
    let mut m = base();
    producer(&mut m, "checkout").topics = vec!["ordres".to_owned()];
    let d = one(&m, "unknown-topic");
    check(
        &d,
        Error,
        ElementKind::Producer,
        "checkout",
        "topics",
        &["producer `checkout` refers to topic `ordres`, which does not exist"],
    );
    assert_eq!(hint(&d), "did you mean `orders`?");
}

#[test]
fn a_producer_without_an_event_type_is_an_error() {
    let mut m = base();
    producer(&mut m, "checkout").event_types.clear();
    let d = one(&m, "producer-no-event");
    check(
        &d,
        Error,
        ElementKind::Producer,
        "checkout",
        "event_types",
        &["producer `checkout` emits no event type"],
    );
}

#[test]
fn a_producer_emitting_a_missing_event_type_is_an_error() {
    let mut m = base();
    producer(&mut m, "checkout").event_types = vec!["OrderPlacd".to_owned()];
    let d = one(&m, "unknown-event-type");
    check(
        &d,
        Error,
        ElementKind::Producer,
        "checkout",
        "event_types",
        &["producer `checkout` refers to event type `OrderPlacd`"],
    );
    assert_eq!(hint(&d), "did you mean `OrderPlaced`?");
}

#[test]
fn a_producer_emitting_an_event_type_its_topic_does_not_carry_is_an_error() {
    let mut m = base();
    producer(&mut m, "checkout").event_types = vec!["OrderShipped".to_owned()];
    let d = one(&m, "producer-event-not-carried");
    check(
        &d,
        Error,
        ElementKind::Producer,
        "checkout",
        "event_types",
        &["producer `checkout` emits `OrderShipped`, but its topic `orders` does not carry it"],
    );
    assert_eq!(
        hint(&d),
        "add `OrderShipped` to the event types of `orders`"
    );

    let mut m = base();
    let p = producer(&mut m, "checkout");
    p.topics.push("orders.dlt".to_owned());
    p.event_types = vec!["OrderShipped".to_owned()];
    let d = one(&m, "producer-event-not-carried");
    assert!(
        d.message
            .contains("its topics `orders`, `orders.dlt` do not carry it"),
        "{d:#?}"
    );

    // One target topic carrying it is enough.
    let mut m = base();
    let p = producer(&mut m, "checkout");
    p.topics.push("shipments".to_owned());
    p.event_types.push("OrderShipped".to_owned());
    only(&m, &[]);
}

#[test]
fn bursts_longer_than_their_period_are_an_error() {
    let mut m = base();
    producer(&mut m, "checkout").rate = RateProcess::Bursts {
        base_per_second: 10.0,
        burst_per_second: 100.0,
        every_ms: 1_000,
        length_ms: 2_000,
    };
    let d = one(&m, "rate-bursts");
    check(
        &d,
        Error,
        ElementKind::Producer,
        "checkout",
        "rate",
        &["bursts last 2000 ms but start every 1000 ms"],
    );
}

#[test]
fn a_rate_schedule_must_have_steps_in_increasing_order() {
    let mut m = base();
    producer(&mut m, "checkout").rate = RateProcess::Schedule(Vec::new());
    let d = one(&m, "rate-schedule");
    check(
        &d,
        Error,
        ElementKind::Producer,
        "checkout",
        "rate",
        &["the rate schedule has no steps"],
    );

    let mut m = base();
    producer(&mut m, "checkout").rate = RateProcess::Schedule(vec![
        RateStep {
            from_ms: 0,
            per_second: 1.0,
        },
        RateStep {
            from_ms: 5_000,
            per_second: 2.0,
        },
        RateStep {
            from_ms: 5_000,
            per_second: 3.0,
        },
    ]);
    let d = one(&m, "rate-schedule");
    assert!(
        d.message.contains("(5000 ms comes after 5000 ms)"),
        "{d:#?}"
    );
}

#[test]
fn keys_drawn_from_nothing_are_an_error() {
    let mut m = base();
    producer(&mut m, "checkout").keys = KeyDistribution::Uniform {
        keys: 0,
        prefix: "k".to_owned(),
    };
    let d = one(&m, "keys-range");
    check(
        &d,
        Error,
        ElementKind::Producer,
        "checkout",
        "keys",
        &["draws from 0 keys", "use Null"],
    );

    let mut m = base();
    producer(&mut m, "checkout").keys = KeyDistribution::Weighted(Vec::new());
    let d = one(&m, "keys-range");
    assert!(d.message.contains("an empty weighted key list"), "{d:#?}");

    let mut m = base();
    producer(&mut m, "checkout").keys = KeyDistribution::Weighted(vec![
        WeightedKey {
            key: "a".to_owned(),
            weight: 0.0,
        },
        WeightedKey {
            key: "b".to_owned(),
            weight: 0.0,
        },
    ]);
    let d = one(&m, "keys-range");
    assert!(d.message.contains("every key has weight 0"), "{d:#?}");
}

#[test]
fn one_dominant_key_is_a_skew_warning_naming_its_partition() {
    let mut m = base();
    let weighted = |key: &str, weight: f64| WeightedKey {
        key: key.to_owned(),
        weight,
    };
    producer(&mut m, "checkout").keys = KeyDistribution::Weighted(vec![
        weighted("customer-42", 97.0),
        weighted("customer-1", 1.0),
        weighted("customer-2", 1.0),
        weighted("customer-3", 1.0),
    ]);
    let hot = partition_for_key(b"customer-42", 6);
    let others: Vec<u32> = ["customer-1", "customer-2", "customer-3"]
        .iter()
        .map(|k| partition_for_key(k.as_bytes(), 6))
        .collect();
    let share = 97 + others.iter().filter(|&&p| p == hot).count();
    let d = one(&m, "key-skew");
    check(
        &d,
        Warning,
        ElementKind::Producer,
        "checkout",
        "keys",
        &[
            &format!(
                "{share}% of producer `checkout`'s records go to partition {hot} of topic `orders`"
            ),
            "one consumer does most of the work",
        ],
    );
}

#[test]
fn producers_sharing_a_skewed_key_space_are_each_warned_for_their_own_topic() {
    // The shares are computed once per key space and partition count, and reused: each
    // producer is still warned, with its own partition count's hot partition.
    let mut m = base();
    let keys = KeyDistribution::Uniform {
        keys: 1,
        prefix: "only-".to_owned(),
    };
    producer(&mut m, "checkout").keys = keys;
    let mut twin = producer(&mut m, "checkout").clone();
    twin.id = "checkout-twin".to_owned();
    let mut third = twin.clone();
    third.id = "checkout-dlt".to_owned();
    third.topics = vec!["orders.dlt".to_owned()];
    m.producers.push(twin);
    m.producers.push(third);
    topic(&mut m, "orders.dlt").partitions = 4;
    let skews: Vec<Diagnostic> = validate(&m)
        .into_iter()
        .filter(|d| d.code == "key-skew")
        .collect();
    let messages: Vec<&str> = skews.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(messages.len(), 3, "{messages:#?}");
    for (id, topic, partitions) in [
        ("checkout", "orders", 6),
        ("checkout-twin", "orders", 6),
        ("checkout-dlt", "orders.dlt", 4),
    ] {
        let hot = partition_for_key(b"only-0", partitions);
        let expected =
            format!("100% of producer `{id}`'s records go to partition {hot} of topic `{topic}`");
        assert!(
            messages.iter().any(|m| m.starts_with(&expected)),
            "{expected} in {messages:#?}"
        );
    }
}

#[test]
fn a_single_key_is_a_skew_warning_but_many_keys_are_not() {
    let mut m = base();
    producer(&mut m, "checkout").keys = KeyDistribution::Uniform {
        keys: 1,
        prefix: "only-".to_owned(),
    };
    let d = one(&m, "key-skew");
    assert!(
        d.message.starts_with(&format!(
            "100% of producer `checkout`'s records go to partition {} of topic `orders`",
            partition_for_key(b"only-0", 6)
        )),
        "{d:#?}"
    );

    // Half the traffic on one partition is not "most".
    let (a, b) = two_keys_on_different_partitions(2);
    let mut m = base();
    topic(&mut m, "orders").partitions = 2;
    group(&mut m, "shipping").members = 2;
    producer(&mut m, "checkout").keys = KeyDistribution::Weighted(vec![
        WeightedKey {
            key: a,
            weight: 1.0,
        },
        WeightedKey {
            key: b,
            weight: 1.0,
        },
    ]);
    only(&m, &[]);

    // Records without keys are spread by the sticky partitioner.
    let mut m = base();
    producer(&mut m, "checkout").keys = KeyDistribution::Null;
    only(&m, &[]);
}

fn two_keys_on_different_partitions(partitions: u32) -> (String, String) {
    let first = partition_for_key(b"k0", partitions);
    let other = (1..)
        .map(|i| format!("k{i}"))
        .find(|k| partition_for_key(k.as_bytes(), partitions) != first)
        .expect("some key lands elsewhere");
    ("k0".to_owned(), other)
}

#[test]
fn a_record_size_of_zero_is_an_error() {
    let mut m = base();
    producer(&mut m, "checkout").record_size = SizeDistribution::Constant { bytes: 0 };
    let d = one(&m, "record-size");
    check(
        &d,
        Error,
        ElementKind::Producer,
        "checkout",
        "record_size",
        &["producer `checkout` sends records of 0 bytes"],
    );
}

#[test]
fn distribution_bounds_in_the_wrong_order_are_an_error() {
    let mut m = base();
    producer(&mut m, "checkout").record_size = SizeDistribution::Uniform { min: 900, max: 100 };
    let d = one(&m, "distribution-bounds");
    check(
        &d,
        Error,
        ElementKind::Producer,
        "checkout",
        "record_size",
        &["record_size has min 900 above max 100"],
    );

    let mut m = base();
    group(&mut m, "shipping").processing_time = TimeDistribution::Uniform {
        min_ms: 9.0,
        max_ms: 1.0,
    };
    let d = one(&m, "distribution-bounds");
    check(
        &d,
        Error,
        ElementKind::ConsumerGroup,
        "shipping",
        "processing_time",
        &["`processing_time` has min_ms 9 above max_ms 1"],
    );
}

#[test]
fn idempotence_without_acks_all_is_an_error() {
    for (acks, name) in [(Acks::One, "1"), (Acks::Zero, "0")] {
        let mut m = base();
        producer(&mut m, "checkout").acks = acks;
        let diagnostics = only(&m, &["idempotence-needs-acks-all", "acks-not-all"]);
        let d = with_code(&diagnostics, "idempotence-needs-acks-all");
        check(
            d,
            Error,
            ElementKind::Producer,
            "checkout",
            "acks",
            &[
                &format!("producer `checkout` enables idempotence with acks={name}"),
                "ConfigException",
            ],
        );
        assert!(hint(d).contains("set acks to All"));
    }
}

#[test]
fn idempotence_with_more_than_5_requests_in_flight_is_an_error() {
    let mut m = base();
    producer(&mut m, "checkout").max_in_flight_requests = 6;
    let d = one(&m, "idempotence-in-flight");
    check(
        &d,
        Error,
        ElementKind::Producer,
        "checkout",
        "max_in_flight_requests",
        &["max_in_flight_requests 6", "at most 5"],
    );
    let mut m = base();
    producer(&mut m, "checkout").max_in_flight_requests = 5;
    only(&m, &[]);
}

#[test]
fn lingering_past_the_delivery_timeout_is_an_error() {
    let mut m = base();
    producer(&mut m, "checkout").linger_ms = 90_001.0;
    let d = one(&m, "linger-beyond-delivery-timeout");
    check(
        &d,
        Error,
        ElementKind::Producer,
        "checkout",
        "linger_ms",
        &[
            "producer `checkout` lingers 90001 ms",
            "linger.ms + request.timeout.ms",
            "ConfigException",
        ],
    );
    assert!(hint(&d).contains("at most 90000"));
    let mut m = base();
    producer(&mut m, "checkout").linger_ms = 90_000.0;
    only(&m, &[]);
}

#[test]
fn no_request_in_flight_is_an_error() {
    let mut m = base();
    producer(&mut m, "checkout").max_in_flight_requests = 0;
    let d = one(&m, "in-flight-range");
    check(
        &d,
        Error,
        ElementKind::Producer,
        "checkout",
        "max_in_flight_requests",
        &["allows 0 requests in flight", "could never send"],
    );
}

#[test]
fn acks_other_than_all_is_a_warning() {
    for (acks, name) in [(Acks::One, "1"), (Acks::Zero, "0")] {
        let mut m = base();
        let p = producer(&mut m, "checkout");
        p.acks = acks;
        p.enable_idempotence = false;
        let d = one(&m, "acks-not-all");
        check(
            &d,
            Warning,
            ElementKind::Producer,
            "checkout",
            "acks",
            &[
                &format!("producer `checkout` uses acks={name}"),
                "can lose acknowledged records",
            ],
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Consumer groups

#[test]
fn a_group_without_a_topic_is_an_error() {
    let mut m = base();
    group(&mut m, "shipping").topics.clear();
    let d = one(&m, "group-no-topic");
    check(
        &d,
        Error,
        ElementKind::ConsumerGroup,
        "shipping",
        "topics",
        &["consumer group `shipping` subscribes to no topic"],
    );
}

#[test]
fn a_group_subscribed_to_a_missing_topic_is_an_error() {
    let mut m = base();
    group(&mut m, "shipping").topics.push("returns".to_owned());
    let d = one(&m, "unknown-topic");
    check(
        &d,
        Error,
        ElementKind::ConsumerGroup,
        "shipping",
        "topics",
        &["consumer group `shipping` refers to topic `returns`, which does not exist"],
    );
}

#[test]
fn members_concurrency_and_poll_records_of_zero_are_errors() {
    let mut m = base();
    group(&mut m, "shipping").members = 0;
    let d = one(&m, "members-range");
    check(
        &d,
        Error,
        ElementKind::ConsumerGroup,
        "shipping",
        "members",
        &["consumer group `shipping` has no members"],
    );

    let mut m = base();
    group(&mut m, "shipping").concurrency = 0;
    let d = one(&m, "concurrency-range");
    check(
        &d,
        Error,
        ElementKind::ConsumerGroup,
        "shipping",
        "concurrency",
        &["consumer group `shipping` has concurrency 0"],
    );

    let mut m = base();
    group(&mut m, "shipping").max_poll_records = 0;
    let d = one(&m, "max-poll-records-range");
    check(
        &d,
        Error,
        ElementKind::ConsumerGroup,
        "shipping",
        "max_poll_records",
        &["consumer group `shipping` has max_poll_records 0"],
    );
}

#[test]
fn a_probability_outside_0_to_1_is_an_error() {
    let mut m = base();
    group(&mut m, "shipping").reactions[0].probability = 1.5;
    let d = one(&m, "probability-range");
    check(
        &d,
        Error,
        ElementKind::ConsumerGroup,
        "shipping",
        "reactions",
        &["`reactions` is 1.5", "a probability is between 0 and 1"],
    );

    let mut m = base();
    group(&mut m, "shipping").retry.jitter = -0.1;
    let d = one(&m, "probability-range");
    check(
        &d,
        Error,
        ElementKind::ConsumerGroup,
        "shipping",
        "retry",
        &["`retry` is -0.1"],
    );
}

#[test]
fn zero_attempts_is_an_error() {
    let mut m = base();
    group(&mut m, "shipping").retry.max_attempts = 0;
    let d = one(&m, "max-attempts-range");
    check(
        &d,
        Error,
        ElementKind::ConsumerGroup,
        "shipping",
        "retry",
        &["consumer group `shipping` has max_attempts 0"],
    );
    assert!(hint(&d).contains("use 1 for no retries"));
}

#[test]
fn a_backoff_that_shrinks_is_an_error() {
    let mut m = base();
    group(&mut m, "shipping").retry.backoff = Backoff::Exponential {
        initial_ms: 100,
        multiplier: 0.5,
        max_ms: 1_000,
    };
    let d = one(&m, "backoff-multiplier");
    check(
        &d,
        Error,
        ElementKind::ConsumerGroup,
        "shipping",
        "retry",
        &["a backoff multiplier of 0.5", "at least 1"],
    );
}

#[test]
fn a_missing_retry_topic_is_an_error() {
    let mut m = base();
    group(&mut m, "shipping").retry.mode = RetryMode::RetryTopic {
        topic: Some("orders.retry".to_owned()),
    };
    let d = one(&m, "unknown-topic");
    check(
        &d,
        Error,
        ElementKind::ConsumerGroup,
        "shipping",
        "retry",
        &["refers to topic `orders.retry`, which does not exist"],
    );
}

#[test]
fn a_dead_letter_topic_that_does_not_exist_is_an_error() {
    let mut m = base();
    group(&mut m, "shipping").dead_letter_topic = Some("orders.dl".to_owned());
    let d = one(&m, "unknown-dead-letter-topic");
    check(
        &d,
        Error,
        ElementKind::ConsumerGroup,
        "shipping",
        "dead_letter_topic",
        &["consumer group `shipping` dead-letters to `orders.dl`, which is not a topic"],
    );
    assert_eq!(hint(&d), "did you mean `orders.dlt`?");

    let mut m = base();
    group(&mut m, "shipping").dead_letter_topic = Some("quarantine".to_owned());
    let d = one(&m, "unknown-dead-letter-topic");
    assert_eq!(hint(&d), "add a topic `quarantine`");

    let mut m = base();
    group(&mut m, "shipping").dead_letter_topic = Some("orders.dlt".to_owned());
    only(&m, &[]);
}

#[test]
fn subscribing_to_ones_own_dead_letter_topic_is_an_error() {
    let mut m = base();
    let g = group(&mut m, "shipping");
    g.topics.push("orders.dlt".to_owned());
    g.dead_letter_topic = Some("orders.dlt".to_owned());
    let d = one(&m, "dead-letter-subscribed");
    check(
        &d,
        Error,
        ElementKind::ConsumerGroup,
        "shipping",
        "dead_letter_topic",
        &[
            "subscribes to its own dead-letter topic `orders.dlt`",
            "loop",
        ],
    );
}

#[test]
fn auto_commit_every_0_ms_is_an_error() {
    let mut m = base();
    group(&mut m, "shipping").commit = CommitMode::Auto { interval_ms: 0 };
    let d = one(&m, "commit-interval");
    check(
        &d,
        Error,
        ElementKind::ConsumerGroup,
        "shipping",
        "commit",
        &["auto-commits every 0 ms"],
    );
}

#[test]
fn reactions_must_name_existing_events_and_topics() {
    let mut m = base();
    group(&mut m, "shipping").reactions[0].emit = "Shipped".to_owned();
    let d = one(&m, "unknown-event-type");
    check(
        &d,
        Error,
        ElementKind::ConsumerGroup,
        "shipping",
        "reactions",
        &["refers to event type `Shipped`"],
    );

    let mut m = base();
    group(&mut m, "shipping").reactions[0].topic = "shipment".to_owned();
    let d = one(&m, "unknown-topic");
    check(
        &d,
        Error,
        ElementKind::ConsumerGroup,
        "shipping",
        "reactions",
        &["refers to topic `shipment`"],
    );
    assert_eq!(hint(&d), "did you mean `shipments`?");
}

#[test]
fn a_reaction_emitting_to_a_topic_that_does_not_carry_its_event_is_an_error() {
    let mut m = base();
    group(&mut m, "shipping").reactions[0].topic = "orders.dlt".to_owned();
    let d = one(&m, "reaction-event-not-carried");
    check(
        &d,
        Error,
        ElementKind::ConsumerGroup,
        "shipping",
        "reactions",
        &[
            "consumer group `shipping` emits `OrderShipped` to topic `orders.dlt`, which does not carry it",
        ],
    );
    assert_eq!(
        hint(&d),
        "add `OrderShipped` to the event types of `orders.dlt`"
    );
}

#[test]
fn a_consumer_that_is_not_idempotent_is_a_warning() {
    let mut m = base();
    group(&mut m, "shipping").idempotent = false;
    let d = one(&m, "consumer-not-idempotent");
    check(
        &d,
        Warning,
        ElementKind::ConsumerGroup,
        "shipping",
        "idempotent",
        &[
            "consumer group `shipping` is not idempotent",
            "at least once",
        ],
    );
}

#[test]
fn a_group_that_retries_without_a_dead_letter_topic_is_a_warning() {
    let mut m = base();
    group(&mut m, "shipping").retry.max_attempts = 3;
    let d = one(&m, "no-dead-letter-topic");
    check(
        &d,
        Warning,
        ElementKind::ConsumerGroup,
        "shipping",
        "dead_letter_topic",
        &[
            "consumer group `shipping` retries but has no dead-letter topic",
            "dropped after blocking its partition",
        ],
    );
    assert_eq!(
        hint(&d),
        "add a topic such as `shipping.dlt` and set dead_letter_topic"
    );

    // Non-blocking retries do not block the partition.
    let mut m = base();
    let g = group(&mut m, "shipping");
    g.retry.max_attempts = 3;
    g.retry.mode = RetryMode::RetryTopic { topic: None };
    let d = one(&m, "no-dead-letter-topic");
    assert!(d.message.ends_with("is dropped"), "{d:#?}");

    // Failing without retries is also worth a dead-letter topic.
    let mut m = base();
    group(&mut m, "shipping").failures.probability = 0.01;
    let d = one(&m, "no-dead-letter-topic");
    assert!(
        d.message
            .contains("`shipping` can fail but has no dead-letter topic"),
        "{d:#?}"
    );

    // With a dead-letter topic, retries are fine.
    let mut m = base();
    let g = group(&mut m, "shipping");
    g.retry.max_attempts = 3;
    g.dead_letter_topic = Some("orders.dlt".to_owned());
    only(&m, &[]);
}

#[test]
fn more_members_than_partitions_is_a_warning() {
    let mut m = base();
    group(&mut m, "shipping").members = 7;
    let d = one(&m, "idle-members");
    check(
        &d,
        Warning,
        ElementKind::ConsumerGroup,
        "shipping",
        "members",
        &[
            "consumer group `shipping` has 7 members but only 6 partitions to share",
            "1 member will sit idle",
        ],
    );

    let mut m = base();
    group(&mut m, "shipping").members = 6;
    only(&m, &[]);
}

#[test]
fn idle_members_depend_on_the_assignor() {
    // Two topics of 6 partitions and 8 members.
    let setup = |assignor: Assignor| {
        let mut m = base();
        let g = group(&mut m, "shipping");
        g.topics.push("orders.dlt".to_owned());
        g.topics.push("shipments".to_owned());
        g.reactions.clear();
        g.members = 8;
        g.assignor = assignor;
        m
    };
    // Range assigns each topic on its own: only 6 members get partitions of the largest topic.
    let d = one(&setup(Assignor::Range), "idle-members");
    assert!(
        d.message
            .contains("has 8 members but only 6 partitions to share: 2 members will sit idle"),
        "{d:#?}"
    );
    // Round-robin and cooperative-sticky deal all 13 partitions over the members.
    only(&setup(Assignor::RoundRobin), &[]);
    only(&setup(Assignor::CooperativeSticky), &[]);

    let mut m = setup(Assignor::RoundRobin);
    group(&mut m, "shipping").members = 14;
    let d = one(&m, "idle-members");
    assert!(
        d.message
            .contains("has 14 members but only 13 partitions to share: 1 member will sit idle"),
        "{d:#?}"
    );
}

#[test]
fn one_partition_for_two_members_reads_in_the_singular() {
    let mut m = base();
    let g = group(&mut m, "shipping");
    g.topics = vec!["orders.dlt".to_owned()];
    g.reactions.clear();
    g.members = 2;
    let d = one(&m, "idle-members");
    assert!(
        d.message
            .contains("has 2 members but only 1 partition to share: 1 member will sit idle"),
        "{d:#?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Reaction cycles

/// Two groups bouncing events between two topics: `ping` reacts to `Ping` by emitting `Pong`
/// (with `p1`, `f1`), `pong` reacts to `Pong` by emitting `Ping` (with `p2`, `f2`).
fn ping_pong(p1: f64, f1: u32, p2: f64, f2: u32) -> Model {
    let mut m = base();
    m.event_types.push(new_event("Ping"));
    m.event_types.push(new_event("Pong"));
    m.topics.push(new_topic("pings", 6, &["Ping"]));
    m.topics.push(new_topic("pongs", 6, &["Pong"]));
    let ping = new_group(
        &m,
        "ping",
        &["pings"],
        vec![reaction("Ping", "Pong", "pongs", p1, f1)],
    );
    let pong = new_group(
        &m,
        "pong",
        &["pongs"],
        vec![reaction("Pong", "Ping", "pings", p2, f2)],
    );
    m.consumer_groups.push(ping);
    m.consumer_groups.push(pong);
    m
}

#[test]
fn an_amplifying_reaction_cycle_is_an_error() {
    // 0.5 × 3 × 1 × 1 = 1.5 events come back per event.
    let m = ping_pong(0.5, 3, 1.0, 1);
    let d = one(&m, "reaction-cycle");
    // The cycle is reported on the group reacting to its first step.
    check(
        &d,
        Error,
        ElementKind::ConsumerGroup,
        "pong",
        "reactions",
        &[
            "reactions form a cycle that amplifies without bound",
            "(`Pong` on `pongs` → `Ping` on `pings` → `Pong` on `pongs`)",
            "each event leads to 1.50 events back where it started",
        ],
    );
    let h = hint(&d);
    assert!(h.contains("`ping`") && h.contains("`pong`"), "{h}");
    assert!(h.contains("product below 1"), "{h}");
}

#[test]
fn a_cycle_with_an_expected_fan_out_of_exactly_one_is_an_error() {
    for (p1, f1, p2, f2) in [(1.0, 1, 1.0, 1), (0.5, 2, 1.0, 1), (0.25, 2, 0.5, 4)] {
        let m = ping_pong(p1, f1, p2, f2);
        let d = one(&m, "reaction-cycle");
        assert!(
            d.message.contains("each event leads to 1.00 events back"),
            "{p1}×{f1}×{p2}×{f2}: {d:#?}"
        );
    }
}

#[test]
fn a_decaying_reaction_cycle_is_not_reported() {
    for (p1, f1, p2, f2) in [
        (0.9, 1, 1.0, 1),
        (0.3, 3, 1.0, 1),
        (0.5, 1, 0.5, 3),
        (0.999, 1, 1.0, 1),
    ] {
        let m = ping_pong(p1, f1, p2, f2);
        only(&m, &[]);
    }
}

/// Three groups passing events around three topics: A → B (`probability_ab` × `fan_out_ab`)
/// → C (× 0.6) → A (× 1).
fn three_step_cycle(fan_out_ab: u32, probability_ab: f64) -> Model {
    let mut m = base();
    for (event, topic_id) in [("A", "ta"), ("B", "tb"), ("C", "tc")] {
        m.event_types.push(new_event(event));
        m.topics.push(new_topic(topic_id, 6, &[event]));
    }
    let groups = [
        new_group(
            &m,
            "ga",
            &["ta"],
            vec![reaction("A", "B", "tb", probability_ab, fan_out_ab)],
        ),
        new_group(&m, "gb", &["tb"], vec![reaction("B", "C", "tc", 0.6, 1)]),
        new_group(&m, "gc", &["tc"], vec![reaction("C", "A", "ta", 1.0, 1)]),
    ];
    m.consumer_groups.extend(groups);
    m
}

#[test]
fn a_longer_cycle_multiplies_every_step() {
    // 1.0 × 2 × 0.6 × 1.0 = 1.2
    let d = one(&three_step_cycle(2, 1.0), "reaction-cycle");
    assert_eq!(d.element.kind, ElementKind::ConsumerGroup);
    for word in [
        "`A` on `ta`",
        "`B` on `tb`",
        "`C` on `tc`",
        "leads to 1.20 events",
    ] {
        assert!(d.message.contains(word), "{word:?} in {d:#?}");
    }
    let h = hint(&d);
    assert!(
        h.contains("`ga`") && h.contains("`gb`") && h.contains("`gc`"),
        "{h}"
    );
    // 0.8 × 2 × 0.6 = 0.96: decays.
    only(&three_step_cycle(2, 0.8), &[]);
}

#[test]
fn a_group_reacting_to_its_own_topic_forms_a_cycle() {
    let mut m = base();
    let g = group(&mut m, "shipping");
    g.reactions
        .push(reaction("OrderPlaced", "OrderPlaced", "orders", 1.0, 1));
    let d = one(&m, "reaction-cycle");
    check(
        &d,
        Error,
        ElementKind::ConsumerGroup,
        "shipping",
        "reactions",
        &[
            "`OrderPlaced` on `orders` → `OrderPlaced` on `orders`",
            "1.00 events",
        ],
    );

    let mut m = base();
    group(&mut m, "shipping").reactions.push(reaction(
        "OrderPlaced",
        "OrderPlaced",
        "orders",
        0.99,
        1,
    ));
    only(&m, &[]);
}

#[test]
fn parallel_reactions_on_one_edge_add_up() {
    // Two groups each send half of the pongs back: together they close the loop at 1.0.
    let mut m = ping_pong(1.0, 1, 0.5, 1);
    let second = new_group(
        &m,
        "pong-2",
        &["pongs"],
        vec![reaction("Pong", "Ping", "pings", 0.5, 1)],
    );
    m.consumer_groups.push(second);
    let d = one(&m, "reaction-cycle");
    assert!(d.message.contains("1.00 events"), "{d:#?}");
    let h = hint(&d);
    assert!(h.contains("`pong`") && h.contains("`pong-2`"), "{h}");
}

#[test]
fn a_reaction_on_another_event_type_does_not_close_a_cycle() {
    // `pong` reacts only to `Pong`; a `Pang` on the same topic does not bounce.
    let mut m = ping_pong(1.0, 1, 1.0, 1);
    m.event_types.push(new_event("Pang"));
    topic(&mut m, "pongs").event_types = vec!["Pang".to_owned(), "Pong".to_owned()];
    topic(&mut m, "pongs").subject_strategy = SubjectStrategy::TopicRecordName;
    group(&mut m, "ping").reactions[0].emit = "Pang".to_owned();
    only(&m, &[]);
}

// ---------------------------------------------------------------------------------------------
// Sagas

fn orchestrated(steps: Vec<SagaStep>) -> Saga {
    Saga {
        id: "order-saga".to_owned(),
        trigger: "OrderPlaced".to_owned(),
        coordination: Coordination::Orchestrated {
            reply_topic: "shipments".to_owned(),
            steps,
        },
        idempotent_steps: true,
    }
}

fn ship_step() -> SagaStep {
    SagaStep {
        name: "ship".to_owned(),
        participant: "shipping".to_owned(),
        command: "OrderPlaced".to_owned(),
        command_topic: "orders".to_owned(),
        success: "OrderShipped".to_owned(),
        failure: "OrderShipped".to_owned(),
        timeout_ms: 5_000,
        compensation: None,
    }
}

fn with_saga(saga: Saga) -> Model {
    let mut m = base();
    m.sagas.push(saga);
    m
}

#[test]
fn a_well_formed_saga_draws_no_diagnostic() {
    only(&with_saga(orchestrated(vec![ship_step()])), &[]);
}

#[test]
fn saga_steps_naming_unknown_events_are_errors() {
    let step = SagaStep {
        success: "OrderShiped".to_owned(),
        compensation: Some("CancelShipment".to_owned()),
        ..ship_step()
    };
    let m = with_saga(orchestrated(vec![step]));
    let diagnostics = only(&m, &["saga-unknown-event", "saga-unknown-event"]);
    let shipped = diagnostics
        .iter()
        .find(|d| d.message.contains("OrderShiped"))
        .expect("reported");
    check(
        shipped,
        Error,
        ElementKind::Saga,
        "order-saga",
        "coordination",
        &["saga `order-saga`, step `ship`: event type `OrderShiped` does not exist"],
    );
    assert_eq!(hint(shipped), "did you mean `OrderShipped`?");
    assert!(
        diagnostics.iter().any(|d| d
            .message
            .contains("event type `CancelShipment` does not exist")),
        "{diagnostics:#?}"
    );

    let m = with_saga(Saga {
        coordination: Coordination::Choreographed {
            steps: vec![ChoreographyStep {
                participant: "shipping".to_owned(),
                on: "OrderPlaced".to_owned(),
                success: "Shipped".to_owned(),
                failure: None,
                compensation: None,
            }],
        },
        ..orchestrated(Vec::new())
    });
    let d = one(&m, "saga-unknown-event");
    check(
        &d,
        Error,
        ElementKind::Saga,
        "order-saga",
        "coordination",
        &["step `shipping (step 1)`: event type `Shipped` does not exist"],
    );
}

#[test]
fn a_saga_trigger_topic_or_participant_that_does_not_exist_is_an_error() {
    let m = with_saga(Saga {
        trigger: "Checkout".to_owned(),
        ..orchestrated(vec![ship_step()])
    });
    let d = one(&m, "unknown-event-type");
    check(
        &d,
        Error,
        ElementKind::Saga,
        "order-saga",
        "trigger",
        &["saga `order-saga` refers to event type `Checkout`"],
    );

    let m = with_saga(orchestrated(vec![SagaStep {
        participant: "shiping".to_owned(),
        command_topic: "order".to_owned(),
        ..ship_step()
    }]));
    let diagnostics = only(&m, &["unknown-consumer-group", "unknown-topic"]);
    let d = with_code(&diagnostics, "unknown-consumer-group");
    check(
        d,
        Error,
        ElementKind::Saga,
        "order-saga",
        "coordination",
        &["saga `order-saga` refers to consumer group `shiping`, which does not exist"],
    );
    assert_eq!(hint(d), "did you mean `shipping`?");
    let d = with_code(&diagnostics, "unknown-topic");
    check(
        d,
        Error,
        ElementKind::Saga,
        "order-saga",
        "coordination",
        &["refers to topic `order`"],
    );
}

#[test]
fn a_saga_without_steps_is_an_error() {
    let d = one(&with_saga(orchestrated(Vec::new())), "saga-no-steps");
    check(
        &d,
        Error,
        ElementKind::Saga,
        "order-saga",
        "coordination",
        &["saga `order-saga` has no steps"],
    );
    let m = with_saga(Saga {
        coordination: Coordination::Choreographed { steps: Vec::new() },
        ..orchestrated(Vec::new())
    });
    one(&m, "saga-no-steps");
}

#[test]
fn a_saga_step_with_no_time_to_answer_is_an_error() {
    let m = with_saga(orchestrated(vec![SagaStep {
        timeout_ms: 0,
        ..ship_step()
    }]));
    let d = one(&m, "saga-timeout");
    check(
        &d,
        Error,
        ElementKind::Saga,
        "order-saga",
        "coordination",
        &["saga `order-saga`, step `ship`: a timeout of 0 ms fails every step"],
    );
}

// ---------------------------------------------------------------------------------------------
// Projections

fn projection(topics: &[&str], event: &str, op: FoldOp, idempotent: bool) -> Projection {
    Projection {
        id: "order-list".to_owned(),
        topics: topics.iter().map(|t| (*t).to_owned()).collect(),
        folds: vec![FoldRule {
            event_type: event.to_owned(),
            ops: vec![op],
        }],
        store: StoreKind::PostgreSql,
        write_latency: TimeDistribution::Constant { ms: 1.0 },
        rebuild: RebuildPolicy::Manual,
        idempotent,
        queries_per_second: 10.0,
        write_failure_probability: 0.0,
    }
}

fn upsert() -> FoldOp {
    FoldOp::Upsert {
        field: "amount".to_owned(),
        from: "amount".to_owned(),
    }
}

fn with_projection(p: Projection) -> Model {
    let mut m = base();
    m.projections.push(p);
    m
}

#[test]
fn a_well_formed_projection_draws_no_diagnostic() {
    only(
        &with_projection(projection(&["orders"], "OrderPlaced", upsert(), false)),
        &[],
    );
}

#[test]
fn a_projection_without_topics_is_an_error() {
    let m = with_projection(projection(&[], "OrderPlaced", upsert(), true));
    let diagnostics = only(&m, &["projection-no-topic", "projection-event-unreachable"]);
    let d = with_code(&diagnostics, "projection-no-topic");
    check(
        d,
        Error,
        ElementKind::Projection,
        "order-list",
        "topics",
        &["projection `order-list` reads no topic"],
    );
}

#[test]
fn a_projection_folding_an_event_none_of_its_topics_carries_is_a_warning() {
    let m = with_projection(projection(&["orders"], "OrderShipped", upsert(), true));
    let d = one(&m, "projection-event-unreachable");
    check(
        &d,
        Warning,
        ElementKind::Projection,
        "order-list",
        "folds",
        &["projection `order-list` folds `OrderShipped`, but none of its topics carries it"],
    );
}

#[test]
fn a_projection_that_increments_without_deduplication_is_a_warning() {
    let increment = FoldOp::Increment {
        field: "count".to_owned(),
        by: 1.0,
    };
    let m = with_projection(projection(
        &["orders"],
        "OrderPlaced",
        increment.clone(),
        false,
    ));
    let d = one(&m, "projection-not-idempotent");
    check(
        &d,
        Warning,
        ElementKind::Projection,
        "order-list",
        "idempotent",
        &[
            "increments or appends without deduplication",
            "applied twice",
        ],
    );
    only(
        &with_projection(projection(&["orders"], "OrderPlaced", increment, true)),
        &[],
    );
}

// ---------------------------------------------------------------------------------------------
// Event stores

fn store() -> EventStore {
    EventStore {
        id: "accounts".to_owned(),
        aggregate: "Account".to_owned(),
        aggregates: 1_000,
        event_types: vec!["OrderPlaced".to_owned()],
        commands_per_second: 10.0,
        writers: 2,
        snapshot_every: Some(100),
        expected_version: true,
        conflict_retries: 3,
        append_latency: TimeDistribution::Constant { ms: 2.0 },
        read_latency_per_event: TimeDistribution::Constant { ms: 0.1 },
        publish: Some(Publication {
            topic: "orders".to_owned(),
            mode: PublishMode::Outbox,
        }),
    }
}

fn with_store(s: EventStore) -> Model {
    let mut m = base();
    m.event_stores.push(s);
    m
}

#[test]
fn a_well_formed_event_store_draws_no_diagnostic() {
    only(&with_store(store()), &[]);
}

#[test]
fn event_store_counts_of_zero_are_errors() {
    let d = one(
        &with_store(EventStore {
            aggregates: 0,
            ..store()
        }),
        "aggregates-range",
    );
    check(
        &d,
        Error,
        ElementKind::EventStore,
        "accounts",
        "aggregates",
        &["event store `accounts` has no aggregates"],
    );

    let d = one(
        &with_store(EventStore {
            writers: 0,
            ..store()
        }),
        "writers-range",
    );
    check(
        &d,
        Error,
        ElementKind::EventStore,
        "accounts",
        "writers",
        &["event store `accounts` has no writers"],
    );

    let d = one(
        &with_store(EventStore {
            snapshot_every: Some(0),
            ..store()
        }),
        "snapshot-range",
    );
    check(
        &d,
        Error,
        ElementKind::EventStore,
        "accounts",
        "snapshot_every",
        &["snapshots every 0 events"],
    );
}

#[test]
fn an_event_store_publishing_to_a_missing_topic_is_an_error() {
    let d = one(
        &with_store(EventStore {
            publish: Some(Publication {
                topic: "accounts".to_owned(),
                mode: PublishMode::Outbox,
            }),
            ..store()
        }),
        "unknown-topic",
    );
    check(
        &d,
        Error,
        ElementKind::EventStore,
        "accounts",
        "publish",
        &["event store `accounts` refers to topic `accounts`"],
    );
}

#[test]
fn publishing_by_dual_write_is_a_warning() {
    let d = one(
        &with_store(EventStore {
            publish: Some(Publication {
                topic: "orders".to_owned(),
                mode: PublishMode::DualWrite,
            }),
            ..store()
        }),
        "dual-write",
    );
    check(
        &d,
        Warning,
        ElementKind::EventStore,
        "accounts",
        "publish",
        &["publishes by dual write", "loses or duplicates events"],
    );
    assert_eq!(hint(&d), "use the Outbox publish mode");
}

#[test]
fn concurrent_writers_without_expected_versions_is_a_warning() {
    let d = one(
        &with_store(EventStore {
            expected_version: false,
            ..store()
        }),
        "no-optimistic-concurrency",
    );
    check(
        &d,
        Warning,
        ElementKind::EventStore,
        "accounts",
        "expected_version",
        &["has 2 writers but appends without an expected version"],
    );
    // A single writer cannot conflict with itself.
    only(
        &with_store(EventStore {
            expected_version: false,
            writers: 1,
            ..store()
        }),
        &[],
    );
}

// ---------------------------------------------------------------------------------------------
// Scenarios

fn with_fault(at_ms: u64, kind: FaultKind) -> Model {
    let mut m = base();
    scenario(&mut m).faults.push(Fault { at_ms, kind });
    m
}

#[test]
fn a_scenario_of_zero_length_is_an_error() {
    let mut m = base();
    scenario(&mut m).duration_ms = 0;
    let d = one(&m, "scenario-duration");
    check(
        &d,
        Error,
        ElementKind::Scenario,
        "steady",
        "duration_ms",
        &["scenario `steady` lasts 0 ms"],
    );
}

#[test]
fn a_scenario_longer_than_a_year_is_beyond_what_causeway_simulates() {
    let mut m = base();
    scenario(&mut m).duration_ms = causeway::model::validate::MAX_DURATION_MS;
    assert!(
        validate(&m).iter().all(|d| d.code != "simulation-limit"),
        "a year is allowed"
    );
    scenario(&mut m).duration_ms += 1;
    let d = one(&m, "simulation-limit");
    assert!(d.message.contains("lasts 365.0 days"), "{}", d.message);
    scenario(&mut m).duration_ms = u64::MAX;
    let d = one(&m, "simulation-limit");
    check(
        &d,
        Error,
        ElementKind::Scenario,
        "steady",
        "duration_ms",
        &["scenario `steady` lasts 213503982335 days; Causeway simulates at most 365 days"],
    );
}

#[test]
fn a_fault_after_the_end_is_a_warning() {
    let m = with_fault(70_000, FaultKind::BrokerCrash { broker: 1 });
    let d = one(&m, "fault-after-end");
    check(
        &d,
        Warning,
        ElementKind::Scenario,
        "steady",
        "faults",
        &["injects a fault at 70000 ms, after its end at 60000 ms"],
    );
    only(
        &with_fault(60_000, FaultKind::BrokerCrash { broker: 1 }),
        &[],
    );
}

#[test]
fn faults_naming_missing_brokers_are_errors() {
    let d = one(
        &with_fault(1_000, FaultKind::BrokerCrash { broker: 9 }),
        "unknown-broker",
    );
    check(
        &d,
        Error,
        ElementKind::Scenario,
        "steady",
        "faults",
        &["scenario `steady` names broker 9, which is not in the cluster"],
    );
    let d = one(
        &with_fault(
            1_000,
            FaultKind::NetworkPartition {
                client: "checkout".to_owned(),
                brokers: vec![1, 4],
                duration_ms: 1_000,
            },
        ),
        "unknown-broker",
    );
    assert!(d.message.contains("names broker 4"), "{d:#?}");
}

#[test]
fn faults_naming_missing_groups_members_producers_or_clients_are_errors() {
    let d = one(
        &with_fault(
            1_000,
            FaultKind::Slowdown {
                group: "shiping".to_owned(),
                factor: 2.0,
                duration_ms: 1_000,
            },
        ),
        "unknown-consumer-group",
    );
    check(
        &d,
        Error,
        ElementKind::Scenario,
        "steady",
        "faults",
        &["scenario `steady` refers to consumer group `shiping`, which does not exist"],
    );
    assert_eq!(hint(&d), "did you mean `shipping`?");

    // Members are numbered from 0: the base group's three are 0, 1 and 2.
    let crash = |member| FaultKind::MemberCrash {
        group: "shipping".to_owned(),
        member,
    };
    let d = one(&with_fault(1_000, crash(3)), "unknown-member");
    check(
        &d,
        Error,
        ElementKind::Scenario,
        "steady",
        "faults",
        &["names member 3 of `shipping`, which has 3 members (numbered from 0)"],
    );
    only(&with_fault(1_000, crash(2)), &[]);

    let d = one(
        &with_fault(
            1_000,
            FaultKind::PoisonMessage {
                producer: "chekout".to_owned(),
                key: "k".to_owned(),
            },
        ),
        "unknown-producer",
    );
    check(
        &d,
        Error,
        ElementKind::Scenario,
        "steady",
        "faults",
        &["scenario `steady` names producer `chekout`, which does not exist"],
    );
    assert_eq!(hint(&d), "did you mean `checkout`?");

    let d = one(
        &with_fault(
            1_000,
            FaultKind::NetworkPartition {
                client: "nobody".to_owned(),
                brokers: vec![1],
                duration_ms: 1_000,
            },
        ),
        "unknown-client",
    );
    check(
        &d,
        Error,
        ElementKind::Scenario,
        "steady",
        "faults",
        &[
            "cuts off `nobody`, which is not a producer, a consumer group, a projection or an orchestrated saga",
        ],
    );
}

#[test]
fn an_expectation_on_a_missing_group_is_an_error() {
    let mut m = base();
    scenario(&mut m)
        .expectations
        .push(Expectation::MaxLagBelow {
            group: Some("billing".to_owned()),
            records: 10,
        });
    let d = one(&m, "unknown-consumer-group");
    check(
        &d,
        Error,
        ElementKind::Scenario,
        "steady",
        "expectations",
        &["refers to consumer group `billing`"],
    );
}

#[test]
fn records_larger_than_kafka_accepts_by_default_are_a_warning() {
    let mut m = base();
    producer(&mut m, "checkout").record_size = SizeDistribution::Uniform {
        min: 100,
        max: 4_000_000,
    };
    let d = one(&m, "record-too-large");
    check(
        &d,
        Warning,
        ElementKind::Producer,
        "checkout",
        "record_size",
        &["up to 4000000 bytes", "RecordTooLargeException"],
    );
    assert!(d.hint.as_deref().unwrap_or("").contains("claim-check"));
    producer(&mut m, "checkout").record_size = SizeDistribution::Constant { bytes: 1_048_576 };
    assert!(validate(&m).iter().all(|d| d.code != "record-too-large"));
}

#[test]
fn a_latency_expectation_no_run_can_meet_is_an_error() {
    for (bound, says) in [
        (f64::NAN, "below NaN ms"),
        (-1.0, "below -1 ms"),
        (0.0, "below 0 ms"),
    ] {
        let mut m = base();
        scenario(&mut m)
            .expectations
            .push(Expectation::P99LatencyBelowMs(bound));
        let d = one(&m, "expectation-bound");
        check(
            &d,
            Error,
            ElementKind::Scenario,
            "steady",
            "expectations",
            &[says, "the bound must be above 0"],
        );
    }
    let mut m = base();
    scenario(&mut m)
        .expectations
        .push(Expectation::P99LatencyBelowMs(0.5));
    assert!(validate(&m).iter().all(|d| d.code != "expectation-bound"));
}

#[test]
fn more_lanes_per_partition_than_can_be_simulated_are_an_error() {
    let mut m = base();
    let g = group(&mut m, "shipping");
    g.ordering = causeway::model::OrderingMode::PerKey;
    g.concurrency = 1_000;
    let d = one(&m, "simulation-limit");
    check(
        &d,
        Error,
        ElementKind::ConsumerGroup,
        "shipping",
        "concurrency",
        &["up to 1000 records of a partition at once", "at most 256"],
    );
    group(&mut m, "shipping").concurrency = 256;
    assert!(validate(&m).iter().all(|d| d.code != "simulation-limit"));
    // One record per partition at a time: concurrency only counts partitions in flight.
    let g = group(&mut m, "shipping");
    g.ordering = causeway::model::OrderingMode::PerPartition;
    g.concurrency = 1_000;
    assert!(validate(&m).iter().all(|d| d.code != "simulation-limit"));
}

#[test]
fn fault_factors_must_be_above_zero() {
    let d = one(
        &with_fault(
            1_000,
            FaultKind::Slowdown {
                group: "shipping".to_owned(),
                factor: 0.0,
                duration_ms: 1_000,
            },
        ),
        "fault-factor",
    );
    check(
        &d,
        Error,
        ElementKind::Scenario,
        "steady",
        "faults",
        &["a slowdown factor must be above 0, not 0"],
    );
    let d = one(
        &with_fault(
            1_000,
            FaultKind::ProducerBurst {
                producer: "checkout".to_owned(),
                factor: -2.0,
                duration_ms: 1_000,
            },
        ),
        "fault-factor",
    );
    assert!(
        d.message.contains("a burst factor must be above 0, not -2"),
        "{d:#?}"
    );
}

#[test]
fn an_error_spike_probability_above_1_is_an_error() {
    let d = one(
        &with_fault(
            1_000,
            FaultKind::ErrorSpike {
                group: "shipping".to_owned(),
                probability: 2.0,
                duration_ms: 1_000,
            },
        ),
        "probability-range",
    );
    check(
        &d,
        Error,
        ElementKind::Scenario,
        "steady",
        "faults",
        &["`faults` is 2", "between 0 and 1"],
    );
}

// ---------------------------------------------------------------------------------------------
// Layout

#[test]
fn a_position_for_a_missing_element_is_an_info() {
    let mut m = base();
    m.layout
        .positions
        .insert("ghost".to_owned(), Position { x: 1.0, y: 1.0 });
    let d = one(&m, "layout-orphan");
    check(
        &d,
        Info,
        ElementKind::Model,
        "",
        "layout",
        &["the layout places `ghost`, which is not an element of the model"],
    );
}

#[test]
fn a_position_that_is_not_a_number_is_an_error() {
    let mut m = base();
    m.layout.positions.insert(
        "orders".to_owned(),
        Position {
            x: f32::NAN,
            y: 0.0,
        },
    );
    let d = one(&m, "layout-position");
    check(
        &d,
        Error,
        ElementKind::Model,
        "",
        "layout",
        &["the position of `orders` is not a finite number"],
    );
}

// ---------------------------------------------------------------------------------------------
// Coverage

/// Every quoted `kebab-case` string in `source`: the rule codes of the validator.
fn kebab_strings(source: &str) -> Vec<&str> {
    let bytes = source.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'"' {
            let start = i + 1;
            let mut end = start;
            while end < bytes.len()
                && (bytes[end].is_ascii_lowercase()
                    || bytes[end].is_ascii_digit()
                    || bytes[end] == b'-')
            {
                end += 1;
            }
            let word = &source[start..end];
            if end < bytes.len()
                && bytes[end] == b'"'
                && word.contains('-')
                && !word.starts_with('-')
            {
                out.push(word);
                i = end + 1;
                continue;
            }
        }
        i += 1;
    }
    out.sort_unstable();
    out.dedup();
    out
}

#[test]
fn every_rule_code_of_the_validator_is_tested_here() {
    let rules = kebab_strings(include_str!("../src/model/validate.rs"));
    assert!(rules.len() > 50, "found the rule codes: {rules:?}");
    assert!(rules.contains(&"reaction-cycle") && rules.contains(&"key-skew"));
    let tested = kebab_strings(include_str!("validation.rs"));
    let untested: Vec<&&str> = rules.iter().filter(|r| !tested.contains(r)).collect();
    assert!(untested.is_empty(), "rules without a test: {untested:?}");
}

// ---------------------------------------------------------------------------------------------
// Where diagnostics point in the file

/// The 1-based (line, column in characters) where `needle` starts in `text`.
fn position_of(text: &str, needle: &str) -> (usize, usize) {
    assert_eq!(text.matches(needle).count(), 1, "`{needle}` occurs once");
    let before = &text[..text.find(needle).expect("present")];
    let line = before.matches('\n').count() + 1;
    let column = before.chars().rev().take_while(|&c| c != '\n').count() + 1;
    (line, column)
}

/// Loads `text`, validates it, and locates the single diagnostic with `code`.
#[track_caller]
fn locate_diagnostic(text: &str, code: &str) -> (usize, usize) {
    let model = load(text).unwrap_or_else(|e| panic!("loads: {e}"));
    let diagnostics = validate(&model);
    let d = with_code(&diagnostics, code);
    let at = locate(text, &d.element, d.field.as_deref());
    (at.line, at.column)
}

fn order_pipeline() -> &'static str {
    causeway::examples::example("order-pipeline")
        .expect("the order-pipeline example")
        .text
}

/// `text` with `from` (which occurs once) replaced by `to`.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "`{from}` occurs once");
    text.replacen(from, to, 1)
}

#[test]
fn diagnostics_on_the_example_point_at_the_field_at_fault() {
    let text = edit(
        order_pipeline(),
        "id: \"payment-commands\",\n            partitions: 6,",
        "id: \"payment-commands\",\n            partitions: 0,",
    );
    assert_eq!(
        locate_diagnostic(&text, "partitions-range"),
        position_of(&text, "partitions: 0,")
    );

    let text = edit(
        order_pipeline(),
        "id: 2,\n                rack: \"eu-west-1b\",\n                write_mb_per_s: 200.0,",
        "id: 2,\n                rack: \"eu-west-1b\",\n                write_mb_per_s: 0.0,",
    );
    assert_eq!(
        locate_diagnostic(&text, "broker-capacity"),
        position_of(&text, "write_mb_per_s: 0.0,")
    );

    let text = edit(order_pipeline(), "name: \"order-pipeline\",", "name: \"\",");
    assert_eq!(locate_diagnostic(&text, "model-name"), (3, 5));

    let text = edit(
        order_pipeline(),
        "id: \"shipping\",\n            topics: [\n                \"orders\",\n            ],\n            members: 3,",
        "id: \"shipping\",\n            topics: [\n                \"orders\",\n            ],\n            members: 13,",
    );
    assert_eq!(
        locate_diagnostic(&text, "idle-members"),
        position_of(&text, "members: 13,")
    );

    let text = edit(
        order_pipeline(),
        "name: \"broker-loss\",",
        "name: \"broker-loss\",\n            duration_ms: 0,",
    )
    .replacen("            duration_ms: 90000,\n            faults: [\n                (\n                    at_ms: 30000,", "            faults: [\n                (\n                    at_ms: 30000,", 1);
    let model = load(&text).expect("loads");
    assert_eq!(
        model.scenario("broker-loss").expect("exists").duration_ms,
        0
    );
    let diagnostics = validate(&model);
    let d = diagnostics
        .iter()
        .find(|d| d.code == "scenario-duration")
        .expect("reported");
    let at = locate(&text, &d.element, d.field.as_deref());
    assert_eq!((at.line, at.column), position_of(&text, "duration_ms: 0,"));
}

#[test]
fn diagnostics_on_hand_written_elements_point_at_the_field() {
    // One element on one line.
    let text = "(\n    format: 1,\n    name: \"m\",\n    topics: [\n        (id: \"orders\", partitions: 6, replication_factor: 3, min_insync_replicas: 1),\n    ],\n)\n";
    assert_eq!(
        locate_diagnostic(text, "min-isr-low"),
        position_of(text, "min_insync_replicas: 1")
    );
    assert_eq!(position_of(text, "min_insync_replicas: 1"), (5, 62));

    // Fields written before the id.
    let text = "(\n    format: 1,\n    name: \"m\",\n    topics: [\n        (\n            partitions: 0,\n            replication_factor: 3,\n            id: \"orders\",\n            min_insync_replicas: 2,\n        ),\n    ],\n)\n";
    assert_eq!(locate_diagnostic(text, "partitions-range"), (6, 13));

    // A field left at its default is not written: the element's id line stands in.
    let text = "(\n    format: 1,\n    name: \"m\",\n    topics: [\n        (\n            id: \"orders\",\n            partitions: 6,\n            replication_factor: 3,\n            min_insync_replicas: 2,\n        ),\n    ],\n    consumer_groups: [\n        (\n            id: \"audit\",\n            topics: [\"orders\"],\n            members: 1,\n            processing_time: Constant(ms: 1.0),\n            commit: AfterEach,\n        ),\n    ],\n)\n";
    assert_eq!(locate_diagnostic(text, "consumer-not-idempotent"), (14, 13));
}

#[test]
fn values_beyond_what_can_be_simulated_are_errors() {
    let mut m = base();
    group(&mut m, "shipping").members = 20_000;
    let diagnostics = only(&m, &["simulation-limit", "idle-members"]);
    let d = with_code(&diagnostics, "simulation-limit").clone();
    check(
        &d,
        Error,
        ElementKind::ConsumerGroup,
        "shipping",
        "members",
        &["20000 members", "at most 10000"],
    );

    let mut m = base();
    m.producers[0].keys = causeway::model::KeyDistribution::Zipf {
        keys: 50_000_000_000,
        exponent: 1.0,
        prefix: "k".into(),
    };
    let d = one(&m, "simulation-limit");
    assert_eq!(d.field.as_deref(), Some("keys"));
    assert!(
        d.message.contains("use Uniform beyond that"),
        "{}",
        d.message
    );

    let mut m = base();
    m.producers[0].rate = causeway::model::RateProcess::Poisson { per_second: 1e12 };
    let d = one(&m, "simulation-limit");
    assert_eq!(d.field.as_deref(), Some("rate"));

    // A burst that multiplies a producer's rate past the limit is refused too.
    let mut m = with_fault(
        1_000,
        FaultKind::ProducerBurst {
            producer: "checkout".to_owned(),
            factor: 1e300,
            duration_ms: 1_000,
        },
    );
    m.producers[0].rate = causeway::model::RateProcess::Constant { per_second: 100.0 };
    let d = one(&m, "simulation-limit");
    check(
        &d,
        Error,
        ElementKind::Scenario,
        "steady",
        "faults",
        &[
            "rate by 1e300",
            "producer `checkout`",
            "at most 100000000 per producer",
        ],
    );
    // Up to the limit, it is fine.
    let mut m = with_fault(
        1_000,
        FaultKind::ProducerBurst {
            producer: "checkout".to_owned(),
            factor: 1e6,
            duration_ms: 1_000,
        },
    );
    m.producers[0].rate = causeway::model::RateProcess::Constant { per_second: 100.0 };
    assert!(
        causeway::model::validate(&m)
            .iter()
            .all(|d| d.code != "simulation-limit")
    );
}

#[test]
fn a_saga_participant_that_cannot_hear_or_answer_its_command_is_warned_about() {
    // Commands on a topic the participant does not read.
    let mut step = ship_step();
    step.command_topic = "shipments".to_owned();
    let m = with_saga(orchestrated(vec![step]));
    let diagnostics = only(&m, &["saga-participant-not-subscribed"]);
    assert_eq!(
        diagnostics[0].message,
        "saga `order-saga`, step `ship`: `shipping` does not read `shipments`, so it never gets \
         the command and every instance times out"
    );

    // No reaction emitting the success reply.
    let mut step = ship_step();
    step.success = "OrderPlaced".to_owned();
    let m = with_saga(orchestrated(vec![step]));
    let diagnostics = only(&m, &["saga-participant-never-succeeds"]);
    assert_eq!(
        diagnostics[0].message,
        "saga `order-saga`, step `ship`: `shipping` has no reaction emitting `OrderPlaced` on \
         `OrderPlaced`, so the step never succeeds"
    );

    // Replies sent where the orchestrator does not read.
    let mut saga = orchestrated(vec![ship_step()]);
    saga.coordination = Coordination::Orchestrated {
        reply_topic: "orders".to_owned(),
        steps: vec![ship_step()],
    };
    let diagnostics = only(&with_saga(saga), &["saga-reply-elsewhere"]);
    assert_eq!(
        diagnostics[0].message,
        "saga `order-saga`, step `ship`: `shipping` emits `OrderShipped` to `shipments`, but the \
         orchestrator reads replies on `orders`"
    );
}

#[test]
fn saga_success_and_failure_probabilities_above_one_together_are_an_error() {
    let mut m = with_saga(orchestrated(vec![ship_step()]));
    m.event_types.push(new_event("ShipFailed"));
    topic(&mut m, "shipments")
        .event_types
        .push("ShipFailed".to_owned());
    topic(&mut m, "shipments").subject_strategy = SubjectStrategy::TopicRecordName;
    if let Coordination::Orchestrated { steps, .. } = &mut m.sagas[0].coordination {
        steps[0].failure = "ShipFailed".to_owned();
    }
    let mut failure = group(&mut m, "shipping").reactions[0].clone();
    failure.emit = "ShipFailed".to_owned();
    failure.probability = 0.5;
    group(&mut m, "shipping").reactions.push(failure);
    let diagnostics = only(&m, &["saga-outcome-probability"]);
    assert_eq!(
        diagnostics[0].message,
        "saga `order-saga`, step `ship`: `shipping` succeeds with probability 1 and fails with \
         0.5; a step has one outcome, so together they must be at most 1"
    );
    group(&mut m, "shipping").reactions[0].probability = 0.5;
    only(&m, &[]);
}

#[test]
fn a_rebuild_fault_naming_a_missing_projection_is_an_error_with_a_suggestion() {
    let mut m = with_projection(projection(&["orders"], "OrderPlaced", FoldOp::Delete, true));
    scenario(&mut m).faults.push(Fault {
        at_ms: 1_000,
        kind: FaultKind::RebuildProjection {
            projection: "order-lists".to_owned(),
        },
    });
    let diagnostics = only(&m, &["unknown-projection"]);
    assert_eq!(
        diagnostics[0].message,
        "scenario `steady` rebuilds projection `order-lists`, which does not exist"
    );
    assert_eq!(hint(&diagnostics[0]), "did you mean `order-list`?");
    if let FaultKind::RebuildProjection { projection } = &mut scenario(&mut m).faults[0].kind {
        "order-list".clone_into(projection);
    }
    only(&m, &[]);
}

#[test]
fn a_saga_with_more_steps_than_the_engine_follows_is_an_error() {
    let m = with_saga(orchestrated(vec![ship_step(); 65]));
    let diagnostics = validate(&m);
    let too_many = diagnostics
        .iter()
        .find(|d| d.code == "saga-too-many-steps")
        .expect("reported");
    assert_eq!(
        too_many.message,
        "saga `order-saga` has 65 steps; the simulation follows at most 64"
    );
    assert!(
        validate(&with_saga(orchestrated(vec![ship_step(); 64])))
            .iter()
            .all(|d| d.code != "saga-too-many-steps")
    );
}
