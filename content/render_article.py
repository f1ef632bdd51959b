"""An article of the HipKnee API as text, rendered from its section blocks (docs/api.md).
Standard library only: python -m content.render_article <api>/articles/<slug>/"""

import json
import sys
import urllib.request


def render(article: dict) -> str:  # the article as `?body_format=text` serves it
    lines = [article["title"]]
    for section in article["sections"]:
        lines += ["", section["heading"]]
        for block in section["blocks"]:  # paragraphs and lists, in the source's order
            if block["type"] == "paragraph":
                lines.append(block["body"])
                continue
            lines += [f"{block['heading']}:"] if block["heading"] else []
            lines += [f"- {i['title']}: {i['text']}" if i["title"] else f"- {i['text']}"
                      for i in block["items"]]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(json.load(urllib.request.urlopen(sys.argv[1] + "?body_format=text"))))
