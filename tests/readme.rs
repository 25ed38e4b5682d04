//! The README's examples work as written.

#[test]
fn the_model_format_example_loads_and_validates_without_errors() {
    let readme = std::fs::read_to_string("README.md").expect("README.md exists");
    let start = readme
        .find("```ron\n")
        .expect("the README has a RON example")
        + "```ron\n".len();
    let end = start + readme[start..].find("```").expect("the example is closed");
    let model = causeway::model::load(&readme[start..end]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(model.name, "order-pipeline");
    let errors: Vec<_> = causeway::model::validate(&model)
        .into_iter()
        .filter(|d| d.severity == causeway::model::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn every_example_model_is_listed_in_the_readme() {
    let readme = std::fs::read_to_string("README.md").expect("README.md exists");
    for example in causeway::examples::EXAMPLES {
        assert!(
            readme.contains(&format!("models/{}.ron", example.name)),
            "README.md does not mention models/{}.ron",
            example.name
        );
    }
}
