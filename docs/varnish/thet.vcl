vcl 4.1;
# Varnish in front of the THET site (docs/DEPLOY.md, "A CDN or Varnish in front").
# tests/test_varnish.py runs this very file (with its own backend port) in front of a
# real server. Varnish 7 (Debian's `varnish`).
#
# * Caches what the site marks public (Cache-Control: public, s-maxage=...): s-maxage is
#   the time to live; stale-if-error is the grace, so pages are still served while the
#   site is down, and a page past its s-maxage is replaced in the background.
# * Never caches for a visitor with a session or messages cookie (an editor), the admin,
#   documents or /health/, nor anything the site marks private or that sets a cookie.
# * PURGE from the app servers (acl purgers): `PURGE /*` bans every page of that Host,
#   which is what the site sends on every content change (thet_site/cdn.py); any other
#   URL is purged on its own (Wagtail's purge of a page's URL).

import std;

# The app server (gunicorn). Several: one backend each, and a directors round-robin.
backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .first_byte_timeout = 30s;
}

# Who may purge: the app servers (they send PURGE when content changes).
acl purgers {
    "localhost";
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(405, "Not allowed."));
        }
        if (req.url == "/*") {
            ban("obj.http.x-thet-host == " + req.http.host);
            return (synth(200, "Banned."));
        }
        return (purge);
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);  # form posts keep their cookies (CSRF) and are never cached
    }
    if (req.url ~ "^/(admin|documents|health)(/|$)") {
        return (pass);
    }
    # A session (a logged-in editor, a password-protected page opened) or a message
    # waiting: the site answers privately; pass it, cookies and all.
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|messages)=") {
        return (pass);
    }
    # Anyone else gets the public page: other cookies (analytics, csrftoken) do not change
    # it, so they are dropped and do not split the cache (the site answers Vary: Cookie).
    unset req.http.Cookie;
    # The built-in vcl_recv runs next: it passes requests with Authorization.
}

sub vcl_backend_response {
    # For the bans above (a "lurker-friendly" ban tests only obj.*).
    set beresp.http.x-thet-host = bereq.http.host;
    # stale-if-error: how long a page may be served past its s-maxage while the site
    # does not answer (Varnish uses stale-while-revalidate by itself, if no longer).
    if (beresp.http.Cache-Control ~ "stale-if-error=[0-9]+") {
        set beresp.grace = std.duration(
            regsub(beresp.http.Cache-Control, "^.*stale-if-error=([0-9]+).*$", "\1s"),
            beresp.grace);
    }
    # The built-in vcl_backend_response runs next: a response with Set-Cookie, private,
    # no-store or no-cache is not cached (and the next requests go straight through).
}

sub vcl_deliver {
    unset resp.http.x-thet-host;
}
