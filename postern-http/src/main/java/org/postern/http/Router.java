// SPDX-License-Identifier: Apache-2.0
package org.postern.http;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Sends each request to the handler registered for the longest matching path prefix. A prefix
 * ending in "/" matches everything under it; any other prefix matches that exact path or the path
 * followed by "/". Nothing matches: 404. Modules register here: JMAP at /.well-known/jmap and /jmap/,
 * later the webmail at / and autoconfig at /.well-known/autoconfig/.
 */
public final class Router extends Handler.Abstract {
    private record Route(String prefix, Handler handler) {}

    private final List<Route> routes = new CopyOnWriteArrayList<>();

    /** Registers a handler; registered handlers share the server's lifecycle. */
    public synchronized Router add(String prefix, Handler handler) {
        if (prefix == null || !prefix.startsWith("/")) throw new IllegalArgumentException("prefix must start with /");
        for (Route r : routes) {
            if (r.prefix().equals(prefix)) throw new IllegalArgumentException("a handler is registered for " + prefix);
        }
        List<Route> next = new ArrayList<>(routes);
        next.add(new Route(prefix, handler));
        next.sort(Comparator.comparingInt((Route r) -> r.prefix().length()).reversed());
        routes.clear();
        routes.addAll(next);
        addBean(handler, true);
        if (getServer() != null) handler.setServer(getServer());
        return this;
    }

    @Override
    public void setServer(org.eclipse.jetty.server.Server server) {
        super.setServer(server);
        for (Route r : routes) r.handler().setServer(server);
    }

    /** The handler for a path, or null. */
    Handler match(String path) {
        for (Route r : routes) {
            String p = r.prefix();
            if (p.endsWith("/") ? path.startsWith(p) || path.equals(p.substring(0, p.length() - 1))
                    : path.equals(p) || path.startsWith(p + "/")) {
                return r.handler();
            }
        }
        return null;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        Handler h = path == null ? null : match(path);
        try {
            if (h != null && h.handle(request, response, callback)) return true;
        } catch (Exception e) {
            // A body cut off for arriving too slowly (the minimum data rate) is the client's fault: 408, not 500.
            if (!timedOut(e) || response.isCommitted()) throw e;
            Response.writeError(request, response, callback, HttpStatus.REQUEST_TIMEOUT_408);
            return true;
        }
        Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404);
        return true;
    }

    private static boolean timedOut(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.util.concurrent.TimeoutException) return true;
        }
        return false;
    }
}
