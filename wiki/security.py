"""Protection for every response: CSRF tokens and security headers."""
from flask import request
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()

# No inline script, no eval: htmx runs with allowEval off (see the htmx-config meta tag).
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors {frame_ancestors}",
])


def init_app(app):
    """Enable CSRF protection and add security headers to every response."""
    app.config.setdefault("WTF_CSRF_HEADERS", ["X-CSRFToken"])
    csrf.init_app(app)

    @app.after_request
    def _headers(response):
        # Only embeds may be framed by other origins; CSP frame-ancestors would override
        # X-Frame-Options elsewhere too, so the origins go to embed responses alone.
        embed = request.blueprint == "embed"
        origins = app.config["EMBED_FRAME_ORIGINS"] if embed else []
        ancestors = " ".join(["'self'", *origins])
        response.headers.setdefault(
            "Content-Security-Policy", CONTENT_SECURITY_POLICY.format(frame_ancestors=ancestors))
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not embed:  # for embeds frame-ancestors alone decides (X-Frame-Options cannot list)
            response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=()")
        if "text/html" in response.content_type:
            response.headers.setdefault("Cache-Control", "private, no-cache")
            response.vary.add("Cookie")
        return response
