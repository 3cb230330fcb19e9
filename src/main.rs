fn main() {
    println!("livestall");
}
