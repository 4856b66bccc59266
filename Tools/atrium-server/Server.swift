import AccountService
import AtriumRuntime
import ChatService
import DocService
import Foundation
import NotifyService
import PipelineService

/// All five services in one executable, for the container image: it runs the service it is named
/// as (`/app/ChatServiceApp`, a link to it, runs ChatService) or the one its first argument names
/// (`atrium-server chat`). One binary instead of five keeps the image small: the services share
/// nearly all their code (the runtime, Hummingbird, NIO, the SQL drivers).
@main
struct Server {
    static func main() async throws {
        let arguments = CommandLine.arguments
        let invoked = URL(fileURLWithPath: arguments.first ?? "").lastPathComponent
        let named = ServiceName.allCases.first { $0.executableName == invoked }
            ?? arguments.dropFirst().first.flatMap(ServiceName.init(rawValue:))
        switch named {
        case .account?: try await ServiceMain.run(.account) { try await AccountService.buildApplication($0, logger: $1, metrics: $2) }
        case .chat?: try await ServiceMain.run(.chat) { try await ChatService.buildApplication($0, logger: $1, metrics: $2) }
        case .pipeline?: try await ServiceMain.run(.pipeline) { try await PipelineService.buildApplication($0, logger: $1, metrics: $2) }
        case .notify?: try await ServiceMain.run(.notify) { try await NotifyService.buildApplication($0, logger: $1, metrics: $2) }
        case .doc?: try await ServiceMain.run(.doc) { try await DocService.buildApplication($0, logger: $1, metrics: $2) }
        case nil:
            let names = ServiceName.allCases.map(\.rawValue).joined(separator: "|")
            FileHandle.standardError.write(Data("usage: atrium-server <\(names)>, or run it as <Name>ServiceApp\n".utf8))
            exit(EXIT_FAILURE)
        }
    }
}
