fn main() {
    println!("hello from the demo tree");
}
