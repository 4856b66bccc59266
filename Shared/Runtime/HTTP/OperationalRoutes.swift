import Foundation
public import Hummingbird
public import Prometheus

/// `/health/live`, `/health/ready`, `/metrics` and `/openapi.json`: the routes every service has.
public struct OperationalRoutes: Sendable {
    let database: Database
    let metrics: PrometheusCollectorRegistry
    let document: OpenAPIDocument

    public init(database: Database, metrics: PrometheusCollectorRegistry, document: OpenAPIDocument) {
        self.database = database
        self.metrics = metrics
        self.document = document
    }

    public func register(on router: Router<BasicRequestContext>) {
        router.get("/health/live") { _, _ in Self.json(#"{"status":"live"}"#) }
        router.get("/health/ready") { _, _ in
            // Migrations ran before the server started; what is left to check is that the database answers.
            do {
                try await database.ping()
            } catch {
                throw RuntimeError.unavailable("The database does not answer.")
            }
            return Self.json(#"{"status":"ready"}"#)
        }
        router.get("/metrics") { _, _ in
            var buffer: [UInt8] = []
            buffer.reserveCapacity(4096)
            metrics.emit(into: &buffer)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        let json = document.json
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: json)))
        }
    }

    static func json(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
