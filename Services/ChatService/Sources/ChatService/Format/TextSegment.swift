/// A run of decoded text, or a protected URL that stood in it as a placeholder.
enum TextSegment: Equatable {
    case text(String)
    case url(ProtectedURL)
}
