/// Where a team member hears of one kind of notification.
enum Channel: String, Sendable, Codable, CaseIterable {
    case inbox
    case email
    case both
    case none

    var inbox: Bool { self == .inbox || self == .both }
    var email: Bool { self == .email || self == .both }

    /// What a team member who never chose gets: everything about their own threads and mentions
    /// in both places; task changes on assigned accounts, which can be many, in the inbox only.
    static func memberDefault(for kind: NoticeKind) -> Channel {
        kind == .taskChanged ? .inbox : .both
    }

    /// Kinds a team member may be told of, and so may choose for.
    static let memberKinds: [NoticeKind] = [.newThread, .message, .mention, .tasksCompleted, .clientUpload, .taskChanged]
}
