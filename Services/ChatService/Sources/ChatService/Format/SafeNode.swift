/// One step of a sanitised message: what `HTMLSanitizer` produces and the writers consume.
///
/// Text is held decoded (never as HTML) and elements are `SafeElement`s, so a writer can only
/// ever produce the tags and links this type allows.
enum SafeNode: Equatable {
    case open(SafeElement)
    case close(SafeElement)
    case text(String)
    case lineBreak
    case rule
}
