//! Prints pulldown-cmark events with offsets (a debugging aid).
fn main() {
    let text = std::fs::read_to_string(std::env::args().nth(1).unwrap()).unwrap();
    for (e, r) in
        pulldown_cmark::Parser::new_ext(&text, kgx::document::markdown_options()).into_offset_iter()
    {
        println!("{r:?} {e:?}");
    }
}
