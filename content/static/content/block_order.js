// Up/down controls of the article form (issue #20): a section's "Order of blocks" and the
// items of its lists. Without JavaScript both stay plain fields (the order typed, the item
// positions as numbers); with it, buttons rewrite those same fields, so the server reads
// exactly what it would have read. Loaded as a file (CSP: script-src 'self').

function button(label, title, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "order-button";
  b.textContent = label;
  b.title = title;
  b.setAttribute("aria-label", title);
  b.addEventListener("click", onClick);
  return b;
}

function blockOrder(input) {
  const list = document.createElement("ol");
  list.className = "block-order";
  input.insertAdjacentElement("afterend", list);
  const tokens = () => input.value.split(/[\s,]+/).filter(Boolean);
  const write = (next) => { input.value = next.join(", "); draw(); };
  function draw() {
    const current = tokens();
    list.replaceChildren();
    current.forEach((token, i) => {
      const li = document.createElement("li");
      li.append(token === "¶" ? "¶ paragraph" : `list: ${token}`);
      const move = (j) => { const next = [...current]; [next[i], next[j]] = [next[j], next[i]]; write(next); };
      if (i > 0) li.append(button("↑", `Move ${token} up`, () => move(i - 1)));
      if (i < current.length - 1) li.append(button("↓", `Move ${token} down`, () => move(i + 1)));
      li.append(button("+ ¶", "Add a paragraph after this block",
        () => write([...current.slice(0, i + 1), "¶", ...current.slice(i + 1)])));
      if (token === "¶") li.append(button("×", "Remove this paragraph slot",
        () => write(current.filter((_, j) => j !== i))));
      list.append(li);
    });
  }
  input.addEventListener("change", draw);
  draw();
}

function itemOrder(table) {
  const body = table.tBodies[0];
  const rows = () => [...body.rows].filter((row) => row.querySelector("td.position input"));
  const renumber = () => rows().forEach((row, i) => {
    const position = row.querySelector("td.position input");
    if (position.value !== "" || row.querySelector("td.text textarea")?.value) position.value = i + 1;
  });
  rows().forEach((row) => {
    const cell = row.querySelector("td.position");
    cell.append(button("↑", "Move this item up", () => {
      const before = rows()[rows().indexOf(row) - 1];
      if (before) { body.insertBefore(row, before); renumber(); }
    }));
    cell.append(button("↓", "Move this item down", () => {
      const after = rows()[rows().indexOf(row) + 1];
      if (after) { body.insertBefore(after, row); renumber(); }
    }));
  });
}

document.querySelectorAll("input[data-block-order]").forEach(blockOrder);
document.querySelectorAll("table.items").forEach(itemOrder);
