import AccountService
import AtriumRuntime
import ChatService
import DocService
import Foundation
import NotifyService
import PipelineService

/// All five services in one executable: `atrium-server chat` runs ChatService. The process suite,
/// `atrium up` and the container image all run the services this way; one binary instead of five
/// keeps builds and the image small, since the services share nearly all their code.
@main
struct Server {
    static func main() async throws {
        switch CommandLine.arguments.dropFirst().first.flatMap(ServiceName.init(rawValue:)) {
        case .account?: try await ServiceMain.run(.account) { try await AccountService.buildApplication($0, logger: $1, metrics: $2) }
        case .chat?: try await ServiceMain.run(.chat) { try await ChatService.buildApplication($0, logger: $1, metrics: $2) }
        case .pipeline?: try await ServiceMain.run(.pipeline) { try await PipelineService.buildApplication($0, logger: $1, metrics: $2) }
        case .notify?: try await ServiceMain.run(.notify) { try await NotifyService.buildApplication($0, logger: $1, metrics: $2) }
        case .doc?: try await ServiceMain.run(.doc) { try await DocService.buildApplication($0, logger: $1, metrics: $2) }
        case nil:
            let names = ServiceName.allCases.map(\.rawValue).joined(separator: "|")
            FileHandle.standardError.write(Data("usage: atrium-server <\(names)> [--setting value …]\n".utf8))
            exit(EXIT_FAILURE)
        }
    }
}
