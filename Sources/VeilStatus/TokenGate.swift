import Hummingbird

/// Every endpoint behind the token of `http_token_file`, when there is one: presented as
/// `Authorization: Bearer TOKEN` (scripts, Prometheus) or `?token=TOKEN` (a browser opening the page,
/// whose links carry it on). Anything else gets 401 and no figure, picture or page.
struct TokenGate<Context: RequestContext>: RouterMiddleware {
    let token: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let presented = Self.presented(authorization: request.headers[.authorization],
                                       query: request.uri.queryParameters["token"].map(String.init))
        guard let presented, Self.same(presented, token) else {
            return Response(status: .unauthorized,
                            headers: [.wwwAuthenticate: "Bearer realm=\"veil\"", .contentType: "text/plain; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: "a token is required: Authorization: Bearer TOKEN, or ?token=TOKEN\n")))
        }
        return try await next(request, context)
    }

    /// The token a request carries: the bearer header's, else the query's.
    static func presented(authorization: String?, query: String?) -> String? {
        if let authorization, authorization.hasPrefix("Bearer ") { return String(authorization.dropFirst("Bearer ".count)) }
        return query
    }

    /// Compares in time that depends on the lengths only, not on where the first difference is.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
