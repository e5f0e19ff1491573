"use client";

import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { yaml } from "@codemirror/lang-yaml";
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { lintGutter, setDiagnostics } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { EditorView, highlightActiveLine, keymap, lineNumbers } from "@codemirror/view";
import { useEffect, useRef } from "react";
import type { SourceError } from "./source-errors";

const theme = EditorView.theme({
  "&": { fontSize: "13px", border: "1px solid rgb(203 213 225)", borderRadius: "0.5rem", backgroundColor: "white" },
  "&.cm-focused": { outline: "2px solid rgb(99 102 241)", outlineOffset: "-1px" },
  ".cm-scroller": { fontFamily: "ui-monospace, SFMono-Regular, Menlo, monospace", minHeight: "22rem", maxHeight: "36rem" },
  ".cm-gutters": { backgroundColor: "rgb(248 250 252)", borderRight: "1px solid rgb(226 232 240)", color: "rgb(148 163 184)" },
});

/**
 * The policy's YAML in CodeMirror 6, with `errors` underlined at their place and marked in the
 * gutter. The text is the caller's state: edits go out through `onChange`, and a `value` changed
 * elsewhere (the rules form) replaces the editor's text.
 */
export function CodeEditor({ value, onChange, errors, label }: { value: string; onChange: (value: string) => void; errors: readonly SourceError[]; label: string }) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const latestOnChange = useRef(onChange);
  latestOnChange.current = onChange;

  useEffect(() => {
    const editor = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          lineNumbers(),
          history(),
          indentOnInput(),
          bracketMatching(),
          highlightActiveLine(),
          syntaxHighlighting(defaultHighlightStyle),
          yaml(),
          lintGutter(),
          keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
          EditorView.contentAttributes.of({ "aria-label": label }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) latestOnChange.current(update.state.doc.toString());
          }),
          theme,
        ],
      }),
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
    // The editor is made once, with the first text; later `value`s reach it through the effect below.
  }, []);

  useEffect(() => {
    const editor = view.current;
    if (!editor) return;
    const current = editor.state.doc.toString();
    if (current !== value) editor.dispatch({ changes: { from: 0, to: current.length, insert: value } });
  }, [value]);

  useEffect(() => {
    const editor = view.current;
    if (!editor) return;
    const length = editor.state.doc.length;
    editor.dispatch(
      setDiagnostics(
        editor.state,
        errors.map((error) => ({
          from: Math.min(error.from, length),
          to: Math.min(Math.max(error.to, error.from), length),
          severity: "error" as const,
          message: error.located ? `${error.path}: ${error.message}` : `${error.path}: ${error.message} (not in this text)`,
        })),
      ),
    );
  }, [errors]);

  return <div ref={host} data-testid="policy-code-editor" />;
}
