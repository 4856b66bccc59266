/// Recognises the video links that become embeds, from the address shapes each provider really
/// uses, with an exact host (`youtube.com.evil.example` is just a link) and an id of the
/// provider's alphabet and length. Anything else stays a plain link.
enum EmbedRecognizer {
    /// The embed `address` (an address `SafeLink` accepted) stands for, if any.
    static func embed(for address: String) -> MessageEmbed? {
        guard let parts = URLParts(address) else { return nil }
        return youtube(parts) ?? vimeo(parts) ?? loom(parts) ?? googleDrive(parts)
    }

    // youtube.com/watch?v=ID, /embed/ID, /shorts/ID (www. and m. too), youtu.be/ID; ids are 11
    // characters of A–Z a–z 0–9 _ -.
    private static func youtube(_ parts: URLParts) -> MessageEmbed? {
        let id: String?
        switch (parts.host, parts.segments.first) {
        case ("youtu.be", _) where parts.segments.count == 1: id = parts.segments.first
        case ("youtube.com", "watch"), ("www.youtube.com", "watch"), ("m.youtube.com", "watch"):
            id = parts.segments.count == 1 ? parts.queryValue("v") : nil
        case ("youtube.com", "embed"), ("www.youtube.com", "embed"), ("m.youtube.com", "embed"),
             ("youtube.com", "shorts"), ("www.youtube.com", "shorts"), ("m.youtube.com", "shorts"):
            id = parts.segments.count == 2 ? parts.segments.last : nil
        default: id = nil
        }
        guard let id, id.utf8.count == 11, id.unicodeScalars.allSatisfy(isIDCharacter) else { return nil }
        return MessageEmbed(provider: .youtube, id: id, url: "https://www.youtube.com/watch?v=\(id)")
    }

    // vimeo.com/ID (and vimeo.com/ID/HASH, an unlisted video), player.vimeo.com/video/ID; ids are
    // 1 to 12 digits.
    private static func vimeo(_ parts: URLParts) -> MessageEmbed? {
        let segments = parts.segments
        var hash: String?
        let id: String?
        switch parts.host {
        case "vimeo.com", "www.vimeo.com":
            guard segments.count == 1 || (segments.count == 2 && isVimeoHash(segments[1])) else { return nil }
            id = segments.first
            hash = segments.dropFirst().first
        case "player.vimeo.com":
            id = segments.count == 2 && segments[0] == "video" ? segments[1] : nil
        default: return nil
        }
        guard let id, (1...12).contains(id.utf8.count), id.utf8.allSatisfy(isDigit) else { return nil }
        let url = "https://vimeo.com/\(id)" + (hash.map { "/\($0)" } ?? "")
        return MessageEmbed(provider: .vimeo, id: id, url: url)
    }

    private static func isVimeoHash(_ segment: String) -> Bool {
        (6...20).contains(segment.utf8.count) && segment.unicodeScalars.allSatisfy { $0.properties.isASCIIHexDigit }
    }

    // loom.com/share/ID and loom.com/embed/ID (www. too); ids are 32 lower-case hex digits, and a
    // share link may carry the video's title before it (`Title-Words-ID`).
    private static func loom(_ parts: URLParts) -> MessageEmbed? {
        guard parts.host == "loom.com" || parts.host == "www.loom.com", parts.segments.count == 2,
              parts.segments[0] == "share" || parts.segments[0] == "embed" else { return nil }
        let segment = parts.segments[1]
        let id = String(segment.suffix(32))
        let prefix = segment.dropLast(32)
        guard id.utf8.count == 32, prefix.isEmpty || prefix.hasSuffix("-"),
              id.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || ("a"..."f").contains($0) }) else { return nil }
        return MessageEmbed(provider: .loom, id: id, url: "https://www.loom.com/share/\(id)")
    }

    // drive.google.com/file/d/ID (then /view, /preview or /edit, any query) and
    // drive.google.com/open?id=ID; ids are 25 to 64 characters of A–Z a–z 0–9 _ -.
    private static func googleDrive(_ parts: URLParts) -> MessageEmbed? {
        guard parts.host == "drive.google.com" else { return nil }
        let segments = parts.segments
        let id: String?
        if segments.count >= 3, segments.count <= 4, segments[0] == "file", segments[1] == "d",
           segments.count == 3 || ["view", "preview", "edit"].contains(segments[3]) {
            id = segments[2]
        } else {
            id = segments == ["open"] ? parts.queryValue("id") : nil
        }
        guard let id, (25...64).contains(id.utf8.count), id.unicodeScalars.allSatisfy(isIDCharacter) else { return nil }
        return MessageEmbed(provider: .googleDrive, id: id, url: "https://drive.google.com/file/d/\(id)/view")
    }

    private static func isIDCharacter(_ scalar: Unicode.Scalar) -> Bool {
        ("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-"
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
