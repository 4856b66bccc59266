/// A URL `MarkdownInput` took out of the text before Ink saw it, so that Ink cannot read the `_`
/// and `*` in it as emphasis (YouTube and Drive ids are full of them).
struct ProtectedURL: Equatable {
    /// The address: `https://…`, or `mailto:…` from an autolink.
    let url: String
    /// What the user typed for it: the address, or `<address>` for an autolink.
    let source: String
}
