/// A video link recognised in a message: which provider, the video's id there, and the canonical
/// address of the video (what a client builds its player from).
public struct MessageEmbed: Sendable, Equatable, Hashable, Codable {
    /// The video services whose links become embeds.
    public enum Provider: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
        case loom
        case vimeo
        case youtube
        case googleDrive = "google_drive"
    }

    public var provider: Provider
    public var id: String
    public var url: String

    public init(provider: Provider, id: String, url: String) {
        self.provider = provider
        self.id = id
        self.url = url
    }
}
