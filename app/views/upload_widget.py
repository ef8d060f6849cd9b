"""The upload button: the browser POSTs the chosen file to the server's upload endpoint (streamed to disk, see
`deepbrook.app.uploads`); only the stored file's name comes back over the websocket."""
from __future__ import annotations

import param
from panel.custom import JSComponent


class StreamingUpload(JSComponent):
    """A file input that uploads over HTTP with progress; sets ``uploaded`` ({name, size, renamed}) or ``error``."""

    url = param.String(doc="The upload endpoint, relative to the page.")
    limit_bytes = param.Integer(default=0, doc="Refused in the browser before sending (the server checks too).")
    uploaded = param.Dict(default={}, doc="The server's answer for the last stored upload.")
    error = param.String(default="")

    _esm = """
export function render({ model, el }) {
  // The native file input is hidden: in a narrow row the browser clips its own text to "No ...osen".
  const input = document.createElement("input");
  input.type = "file";
  input.className = "db-upload-input";
  input.style.display = "none";
  const pick = document.createElement("button");
  pick.type = "button";
  pick.className = "db-upload-button";
  pick.textContent = "Upload a file...";
  pick.style.cssText = "padding: 4px 12px; border: 1px solid #ccc; border-radius: 4px; background: #fff; " +
                       "cursor: pointer; white-space: nowrap; font: inherit";
  pick.addEventListener("click", () => input.click());
  const status = document.createElement("span");
  status.className = "db-upload-status";
  status.style.whiteSpace = "nowrap";
  status.textContent = " no file chosen";
  el.append(input, pick, status);
  const fail = (text) => { status.textContent = ""; model.error = text; input.value = ""; };
  input.addEventListener("change", () => {
    const file = input.files[0];
    if (!file) return;
    if (model.limit_bytes > 0 && file.size > model.limit_bytes) {
      fail(`${file.name} is ${(file.size / 1e6).toFixed(1)} MB; the upload limit of this server is ` +
           `${model.limit_bytes / 1048576} MB`);
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open("POST", new URL(model.url + "?name=" + encodeURIComponent(file.name), document.baseURI));
    xhr.setRequestHeader("X-Deepbrook-Upload", "1");
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) status.textContent = ` uploading ${Math.round(100 * e.loaded / e.total)}%`;
    };
    xhr.onload = () => {
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = {}; }
      if (xhr.status === 200) {
        status.textContent = ` uploaded ${body.name}`;
        model.error = "";
        model.uploaded = body;
        input.value = "";
      } else {
        fail(body.error || `the upload failed (HTTP ${xhr.status})`);
      }
    };
    xhr.onerror = () => fail("the upload failed: the connection to the server was lost");
    status.textContent = " uploading 0%";
    xhr.send(file);
  });
}
"""
