//! Prints the sections of one post (a debugging aid, not part of the API).
fn main() {
    let path = std::env::args().nth(1).expect("path");
    let text = std::fs::read_to_string(&path).expect("read");
    let (doc, warnings) = kgx::document::parse(&path, &text);
    println!("title: {:?} meta: {:?}", doc.title, doc.meta);
    for w in warnings {
        println!("warning: {w}");
    }
    for s in &doc.sections {
        println!(
            "#{} L{} lvl{} parent={:?} [{}] {:?}",
            s.order,
            s.line,
            s.level,
            s.parent,
            s.heading_path,
            &s.prose.text.chars().take(60).collect::<String>()
        );
    }
}
