// Stand-in until the Markdown renderer lands (branch chat-format): escapes everything.
import Foundation

struct RenderedMessage: Sendable, Equatable {
    var html: String
    var plain: String
    var embeds: [MessageEmbed]
    var links: [String]
}

struct MessageEmbed: Sendable, Equatable, Codable {
    enum Provider: String, Sendable, Codable { case loom, vimeo, youtube, googleDrive = "google_drive" }
    var provider: Provider
    var id: String
    var url: String
}

enum MessageFormat {
    static func render(_ text: String) -> RenderedMessage {
        let escaped = text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        return RenderedMessage(html: "<p>\(escaped)</p>", plain: text, embeds: [], links: [])
    }
}

enum MessageText {
    static func validate(_ raw: String) throws -> String {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text.unicodeScalars.count <= 20_000 else { throw ChatError.invalid("text must be 1 to 20000 characters.") }
        return text
    }
}
