/// An attribute of a tag as written: its name in lower case and its value still HTML-encoded.
struct HTMLAttribute: Equatable {
    let name: String
    let rawValue: String
}
