/// A link address a message may carry: an absolute http, https or mailto URL, nothing else.
///
/// It is checked the way a browser would read it, so no spelling of another scheme gets through:
/// the candidate is taken after HTML entities are decoded, its ends are trimmed of whitespace and
/// controls as the URL standard does, and then it must start with one of the three schemes
/// literally (ASCII letters in any case), name a host (http, https), and hold no whitespace,
/// control or format character, double quote, angle bracket, backtick or backslash.
/// `java&#x09;script:`, `%6Aavascript:`, ` javascript:` and relative addresses are all refused,
/// and a refused link is shown as its text.
struct SafeLink: Equatable, Hashable {
    /// The address exactly as it will be written, before attribute escaping.
    let href: String

    /// nil unless `candidate` (decoded text) is an address this type allows. A Markdown link
    /// title after the address (`url "title"`) is dropped.
    init?(_ candidate: String) {
        guard let address = Self.address(in: candidate), Self.isAllowed(address) else { return nil }
        href = address
    }

    // The URL standard strips C0 controls and spaces at both ends; a title follows a space.
    private static func address(in candidate: String) -> String? {
        let scalars = candidate.unicodeScalars.drop { $0.value <= 0x20 || $0.properties.isWhitespace }
        let token = scalars.prefix { !($0.value <= 0x20 || $0.properties.isWhitespace) }
        return token.isEmpty ? nil : String(String.UnicodeScalarView(token))
    }

    private static func isAllowed(_ address: String) -> Bool {
        guard address.unicodeScalars.allSatisfy(isPermitted) else { return false }
        let scalars = address.unicodeScalars
        if hasPrefix("mailto:", scalars) { return scalars.count > "mailto:".unicodeScalars.count }
        for prefix in ["http://", "https://"] where hasPrefix(prefix, scalars) {
            return hasHost(afterScheme: String(String.UnicodeScalarView(scalars.dropFirst(prefix.unicodeScalars.count))))
        }
        return false
    }

    // Scalar by scalar and ASCII-only case folding: `lowercased()` maps some non-ASCII letters
    // (the Kelvin sign, for one) to ASCII ones, which a browser would not.
    private static func hasPrefix(_ prefix: String, _ scalars: String.UnicodeScalarView) -> Bool {
        let head = scalars.prefix(prefix.unicodeScalars.count).map { scalar in
            ("A"..."Z").contains(scalar) ? Unicode.Scalar(scalar.value + 32) ?? scalar : scalar
        }
        return head.elementsEqual(prefix.unicodeScalars)
    }

    // An absolute web address names a host: `https:///x` and `https://@/` do not.
    private static func hasHost(afterScheme rest: String) -> Bool {
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let host = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? ""
        return !(host.split(separator: ":", omittingEmptySubsequences: false).first ?? "").isEmpty
    }

    private static func isPermitted(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .spaceSeparator, .lineSeparator, .paragraphSeparator, .surrogate, .unassigned, .privateUse:
            return false
        default:
            return !"\"<>`\\".unicodeScalars.contains(scalar)
        }
    }
}
