// Rich-text editing of section bodies in the editors' admin (issue #18): django-prose-editor's
// ProseMirror editor on every textarea marked data-rich-text, with only the marks and nodes
// whose tags the server's sanitiser keeps (content/snapshots.py ALLOWED_TAGS): paragraphs, line
// breaks, bold, italic, underline, sub- and superscript, lists, block quotes, h3/h4 headings
// and links. The textarea keeps the HTML and is what the form sends; the sanitiser stays the
// authority on the server. The editor module's URL comes from the script tag (static URLs
// are hashed in production), so no inline script or import map is needed (CSP script-src 'self').
const init = document.getElementById("prose-editor-init");
const {
  Blockquote, Bold, BulletList, Document, Dropcursor, Gapcursor, HardBreak, Heading, History,
  Italic, Link, ListItem, Menu, OrderedList, Paragraph, Subscript, Superscript, Text, Underline,
  createTextareaEditor,
} = await import(init.dataset.editor);

const extensions = [
  Document, Paragraph, Text, HardBreak, History, Menu, Dropcursor, Gapcursor,
  Bold, Italic, Underline, Subscript, Superscript,
  BulletList, OrderedList, ListItem, Blockquote, Heading.configure({ levels: [3, 4] }), Link,
];

function attach(textarea) {
  if (textarea.closest(".prose-editor")) return;
  const editor = createTextareaEditor(textarea, extensions);
  textarea.dispatchEvent(new CustomEvent("prose-editor:ready", { detail: { editor }, bubbles: true }));
}

document.querySelectorAll("textarea[data-rich-text]").forEach(attach);
