import Foundation

/// Live data made safe to put into a template's text.
enum MarkdownEscaping {
    /// `value` as Markdown that shows exactly `value`: every character that can open or close
    /// Markdown syntax (CommonMark, GitHub's tables, strikethrough and autolinks, the usual math and
    /// attribute extensions) is backslash-escaped, so an account called `*Acme*` is no emphasis,
    /// `R&amp;D` no entity, `[x](y)` no link, `1. Acme` at the start of a line no list.
    static func literal(_ value: String) -> String {
        var escaped = String.UnicodeScalarView()
        for scalar in oneLine(value).unicodeScalars {
            if punctuation.contains(scalar) { escaped.append("\\") }
            escaped.append(scalar)
        }
        return String(escaped)
    }

    /// CommonMark's ASCII punctuation (what a backslash may escape) but for `"',/;?%`, which mean
    /// nothing outside syntax the others open: escaping them would only clutter the text.
    static let punctuation = Set(##"!#$&()*+-.:<=>@[\]^_`{|}~"##.unicodeScalars)

    /// `value` on one line: line breaks and other control characters become spaces, so that live
    /// data cannot start a heading or a list, or break a subject in two.
    static func oneLine(_ value: String) -> String {
        String(String.UnicodeScalarView(value.unicodeScalars.map { CharacterSet.controlCharacters.contains($0) ? " " : $0 }))
    }
}
