#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A thread running one closure, for the few places where sigflow overlaps work on a second core
/// (reading ahead, correlating calls). A plain POSIX thread: the work is synchronous CPU work with
/// no suspension points, so Swift concurrency's executors would add scheduling without benefit.
public struct BackgroundThread {
    private let thread: pthread_t

    /// How many cores the system has online; 1 when it cannot tell.
    public static var coreCount: Int { max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    /// Starts `body` on a new thread, or returns nil when no thread could be created (resource
    /// limits): the caller then does the work itself. `body` must only touch what it owns or what
    /// the caller does not touch until `join()`.
    public static func start(_ body: @escaping () -> Void) -> BackgroundThread? {
        let context = Unmanaged.passRetained(Job(body)).toOpaque()
        #if canImport(Darwin)
            var thread: pthread_t?
        #else
            var thread = pthread_t()
        #endif
        let status = pthread_create(
            &thread, nil,
            { context in
                Unmanaged<Job>.fromOpaque(context!).takeRetainedValue().body()
                return nil
            }, context)
        guard status == 0 else {
            Unmanaged<Job>.fromOpaque(context).release()
            return nil
        }
        #if canImport(Darwin)
            return thread.map(BackgroundThread.init(thread:))
        #else
            return BackgroundThread(thread: thread)
        #endif
    }

    /// Waits for the body to return; everything it wrote is visible to the caller afterwards.
    public func join() {
        pthread_join(thread, nil)
    }

    private final class Job {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }
}
