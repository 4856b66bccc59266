public import Logging

/// A log handler that passes every line through `LogRedaction` before the wrapped handler writes it.
public struct RedactingLogHandler: LogHandler {
    private var inner: any LogHandler

    public init(_ inner: any LogHandler) {
        self.inner = inner
    }

    public func log(event: LogEvent) {
        var event = event
        event.message = "\(LogRedaction.scrub(event.message.description))"
        event.metadata = event.metadata.map { LogRedaction.scrub($0) }
        if let error = event.error {
            event.error = nil
            event.metadata = (event.metadata ?? [:]).merging(["error": .string(LogRedaction.describe(error))]) { kept, _ in kept }
        }
        inner.log(event: event)
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue.map { LogRedaction.scrub($0, key: key) } }
    }

    public var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = LogRedaction.scrub(newValue) }
    }

    public var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }
}
