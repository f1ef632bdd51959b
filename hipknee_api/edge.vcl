vcl 4.1;

# The edge cache in front of the API (`make edge`; docs/caching.md#the-edge), for Debian's
# Varnish 7.1 with the xkey module of varnish-modules. hipknee_api/edge.py fills in the origin
# (@ORIGIN_HOST@, @ORIGIN_PORT@) and starts varnishd.
#
# - Anonymous GET and HEAD of the public API are cached for as long as the origin's
#   Surrogate-Control (or s-maxage) says, and dropped when the origin purges a surrogate key
#   (`PURGE` with a `Surrogate-Key` header listing keys, from the purgers ACL).
# - Everything with credentials (Authorization, a cookie, X-API-Key), every other method, the
#   editorial API, the admin and the health checks pass to the origin and are never cached.
# - Vary is honoured (Accept: JSON vs JSON-LD; Origin); the usual JSON Accept values are
#   normalised to one so they share an object.
# - While the origin is healthy nothing is served past its lifetime (which ends at the next
#   expiry or overdue review); while it is down (its /healthz probe fails) cached content is
#   served up to the origin's stale-if-error.
# - X-Cache says HIT, MISS or PASS and X-Cache-Hits how often the object was served; the
#   keys and the edge's lifetime are not passed on to clients.

import std;
import xkey;

backend origin {
    .host = "@ORIGIN_HOST@";
    .port = "@ORIGIN_PORT@";
    .connect_timeout = 1s;
    .first_byte_timeout = 30s;
    .between_bytes_timeout = 10s;
    .probe = {
        .url = "/healthz";
        .interval = 1s;
        .timeout = 1s;
        .window = 3;
        .threshold = 2;
        .initial = 2;
    }
}

# Who may purge: the origin's processes and its worker (widen for a remote origin).
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    unset req.http.X-Edge-Pass;
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.Surrogate-Key) {
            return (synth(400, "A purge names its keys in Surrogate-Key"));
        }
        set req.http.X-Purged = xkey.purge(req.http.Surrogate-Key);
        return (synth(200, "Purged " + req.http.X-Purged + " objects"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.http.Authorization || req.http.Cookie || req.http.X-API-Key) {
        return (pass);
    }
    if (req.url ~ "^/api/v1/editorial/" || req.url ~ "^/admin/" ||
        req.url ~ "^/(healthz|readyz)") {
        return (pass);
    }
    # Only a TLS terminator in front says https; any other value would only split the cache.
    if (req.http.X-Forwarded-Proto && req.http.X-Forwarded-Proto != "https") {
        unset req.http.X-Forwarded-Proto;
    }
    if (!req.http.Accept || req.http.Accept == "*/*") {
        set req.http.Accept = "application/json";
    }
    # Healthy origin: nothing past its lifetime. Sick: stale-if-error (the object's grace).
    if (std.healthy(req.backend_hint)) {
        set req.grace = 0s;
    }
    return (hash);
}

sub vcl_hash {
    # Absolute URLs in bodies follow the scheme a TLS terminator in front says.
    hash_data(req.http.X-Forwarded-Proto);
}

sub vcl_pass {
    set req.http.X-Edge-Pass = "1";
}

sub vcl_backend_fetch {
    unset bereq.http.X-Edge-Pass;
}

sub vcl_backend_response {
    # The origin's edge lifetime and stale-if-error (Surrogate-Control), over Cache-Control.
    if (beresp.http.Surrogate-Control ~ "max-age=[0-9]+") {
        set beresp.ttl = std.duration(
            regsub(beresp.http.Surrogate-Control, "^.*max-age=([0-9]+).*$", "\1") + "s", 0s);
    }
    if (beresp.http.Surrogate-Control ~ "stale-if-error=[0-9]+") {
        set beresp.grace = std.duration(
            regsub(beresp.http.Surrogate-Control, "^.*stale-if-error=([0-9]+).*$", "\1") + "s",
            0s);
    }
    if (beresp.status >= 400 || beresp.http.Cache-Control ~ "no-store|private") {
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
        return (deliver);
    }
    # What described the request that fetched it, not the requests it will answer.
    unset beresp.http.X-Request-ID;
    unset beresp.http.RateLimit-Limit;
    unset beresp.http.RateLimit-Remaining;
    unset beresp.http.RateLimit-Reset;
    unset beresp.http.RateLimit-Policy;
}

sub vcl_deliver {
    if (req.http.X-Edge-Pass) {
        set resp.http.X-Cache = "PASS";
    } elsif (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    set resp.http.X-Cache-Hits = obj.hits;
    unset resp.http.xkey;
    unset resp.http.Surrogate-Key;
    unset resp.http.Cache-Tag;
    unset resp.http.Surrogate-Control;
    # Caches after this one (none are purged) get the browser's lifetime only.
    if (resp.http.Cache-Control) {
        set resp.http.Cache-Control = regsuball(resp.http.Cache-Control,
                                                ", *(s-maxage|stale-if-error)=[0-9]+", "");
    }
}
