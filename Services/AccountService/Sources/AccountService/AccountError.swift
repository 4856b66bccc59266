public import AtriumRuntime
public import HTTPTypes

/// Everything AccountService refuses, and why.
public enum AccountError: ProblemConvertible, Equatable {
    case invalid(String)
    case emailTaken
    case tagNameTaken(String)
    case badCredentials
    case lockedOut(retryAfterSeconds: Int)
    case rateLimited(retryAfterSeconds: Int)
    case busy
    case invalidRefreshToken
    case notFound(String)
    case notAllowed(String)
    case conflict(String)
    case lastOwner
    case invalidInvitation
    case gone(String)
    case badServiceCredential

    public var httpStatus: HTTPResponse.Status {
        switch self {
        case .invalid: .badRequest
        case .emailTaken, .tagNameTaken, .conflict, .lastOwner: .conflict
        case .invalidInvitation: .badRequest
        case .badCredentials, .invalidRefreshToken, .badServiceCredential: .unauthorized
        case .lockedOut, .rateLimited: .tooManyRequests
        case .busy: .serviceUnavailable
        case .notFound: .notFound
        case .gone: .gone
        case .notAllowed: .forbidden
        }
    }

    public var problemSlug: String {
        switch self {
        case .invalid: "invalid-request"
        case .emailTaken: "email-taken"
        case .tagNameTaken: "tag-name-taken"
        case .badCredentials: "bad-credentials"
        case .lockedOut: "too-many-attempts"
        case .rateLimited: "rate-limited"
        case .busy: "busy"
        case .invalidRefreshToken: "invalid-refresh-token"
        case .notFound: "not-found"
        case .notAllowed: "forbidden"
        case .conflict: "conflict"
        case .lastOwner: "last-owner"
        case .invalidInvitation: "invalid-invitation"
        case .gone: "gone"
        case .badServiceCredential: "bad-service-credential"
        }
    }

    public var problemDetail: String {
        switch self {
        case .invalid(let why), .notAllowed(let why), .notFound(let why), .conflict(let why), .gone(let why): why
        case .lastOwner: "The firm must keep at least one active owner; make someone else an owner first."
        case .invalidInvitation: "The invitation is unknown, used, replaced by a newer one, or expired; ask for a new one."
        case .emailTaken: "A team member with this e-mail address already exists."
        case .tagNameTaken(let name): "The firm already has a tag named \"\(name)\"."
        case .badCredentials: "The e-mail address or password is wrong."
        case .lockedOut(let seconds): "Too many failed sign-ins for this e-mail address; try again in \(seconds) seconds."
        case .rateLimited(let seconds): "Too many attempts from your address; try again in \(seconds) seconds."
        case .busy: "Too many passwords are being checked right now; try again in a second."
        case .invalidRefreshToken: "The refresh token is unknown, used or expired; sign in again."
        case .badServiceCredential: "The service name or its credential is wrong."
        }
    }
}

extension AccountError: RetryAfterProviding {
    public var retryAfterSeconds: Int? {
        switch self {
        case .lockedOut(let seconds), .rateLimited(let seconds): seconds
        case .busy: 1
        default: nil
        }
    }
}

extension AccountError {
    /// Runs `body`; when a unique index refuses its write, answers `taken` instead. On PostgreSQL two
    /// transactions can both pass the read-before-write; the loser then gets the answer the read gives.
    static func whenTaken<T: Sendable>(_ taken: AccountError, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch where Database.isUniqueViolation(error) {
            throw taken
        }
    }
}
