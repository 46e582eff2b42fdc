"""The pages an NHS service links from its footer: accessibility, privacy, cookies, contact.

Plain pages with no data. The cookies page names the cookie the app really sets (the session
cookie's name depends on ``GPWORKFORCE_HTTPS_ONLY``: ``app.state.session_cookie``, set by
``web.app.create_app``), so the page cannot drift from the middleware.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from gpworkforce.web.deps import Viewer
from gpworkforce.web.templating import FOOTER_LINKS

router = APIRouter(include_in_schema=False)

#: (label, path, template) of each footer page, in footer order (base.html shows FOOTER_LINKS).
FOOTER_PAGES: Final = tuple((label, path, f"about{path}.html") for label, path in FOOTER_LINKS)


def _page(template: str, title: str) -> Callable[..., HTMLResponse]:
    def page(request: Request, _user: Viewer) -> HTMLResponse:  # Viewer: the header shows who is signed in
        context = {
            "page_title": title,
            "session_cookie": request.app.state.session_cookie,
            "device_cookie": request.app.state.device_cookie,
        }
        response: HTMLResponse = request.app.state.templates.TemplateResponse(request, template, context)
        return response

    page.__name__ = "about_" + template.removeprefix("about/").removesuffix(".html")
    page.__doc__ = f"The {title.lower()} page (linked from every page's footer)."
    return page


for _label, _path, _template in FOOTER_PAGES:
    router.add_api_route(_path, _page(_template, _label), methods=["GET"], response_class=HTMLResponse)
