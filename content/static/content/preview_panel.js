// The preview panel beside the change form (admin/content/document/change_form.html): a
// <details> that works without this script; this only remembers, in this browser, that the
// editor hid it, so it stays hidden (and its frame unloaded) on the next form.
const panel = document.getElementById("preview-panel");
const key = "hipknee.previewPanelHidden";
if (panel) {
  if (localStorage.getItem(key) === "1") panel.open = false;
  panel.addEventListener("toggle", () => localStorage.setItem(key, panel.open ? "0" : "1"));
}
