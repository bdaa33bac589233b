//! HTML parsing that stays fast on hostile nesting.
//!
//! In: one HTML body. Out: scraper's tree of it, the same as `Html::parse_document`
//! gives, unless elements nest deeper than [`MAX_DEPTH`]: then parsing stops soon after
//! that point and the tree holds what came before it.
//!
//! html5ever's tree builder rescans its stack of open elements for most start tags, so
//! its time grows with the square of the nesting depth and nothing caps the depth
//! (servo/html5ever#788): 20 000 unclosed `<div>` (100 KB) took 5 s, 200 000 took
//! minutes. Browsers stop nesting at 512 as well (Blink's
//! `kMaximumHTMLParserDOMTreeDepth`); no real email comes near it.

use std::borrow::Cow;
use std::cell::{Cell, Ref};

use ego_tree::NodeId;
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::tree_builder::{ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::{Attribute, ParseOpts, QualName};
use scraper::{Html, HtmlTreeSink};

/// Deeper than this, an HTML body is not read any further.
pub(super) const MAX_DEPTH: usize = 512;

/// The parser is fed this much at a time and checked in between, so at most one
/// piece's worth of elements lands beyond [`MAX_DEPTH`].
const PIECE_BYTES: usize = 4096;

/// Parses `html` as a document, stopping once elements nest deeper than [`MAX_DEPTH`].
pub(super) fn parse_document(html: &str) -> Html {
    let sink = DepthGuard {
        inner: HtmlTreeSink::new(Html::new_document()),
        too_deep: Cell::new(false),
    };
    let mut parser = html5ever::parse_document(sink, ParseOpts::default());
    let mut rest = html;
    while !rest.is_empty() && !parser.tokenizer.sink.sink.too_deep.get() {
        let mut cut = rest.len().min(PIECE_BYTES);
        while !rest.is_char_boundary(cut) {
            cut += 1;
        }
        let (piece, tail) = rest.split_at(cut);
        parser.process(StrTendril::from_slice(piece));
        rest = tail;
    }
    parser.finish()
}

/// scraper's sink, plus a check of the depth of every node inserted. The open-element
/// stack is (nearly) the ancestor chain of the node being inserted, so this bounds it.
struct DepthGuard {
    inner: HtmlTreeSink,
    too_deep: Cell<bool>,
}

impl DepthGuard {
    fn check(&self, inserted: Option<NodeId>) {
        let Some(id) = inserted else { return };
        let html = self.inner.0.borrow();
        let depth = html
            .tree
            .get(id)
            .map_or(0, |node| node.ancestors().take(MAX_DEPTH + 1).count());
        if depth > MAX_DEPTH {
            self.too_deep.set(true);
        }
    }
}

fn node_of(child: &NodeOrText<NodeId>) -> Option<NodeId> {
    match child {
        NodeOrText::AppendNode(id) => Some(*id),
        NodeOrText::AppendText(_) => None,
    }
}

impl TreeSink for DepthGuard {
    type Output = Html;
    type Handle = NodeId;
    type ElemName<'a> = Ref<'a, QualName>;

    fn finish(self) -> Html {
        self.inner.finish()
    }

    fn parse_error(&self, msg: Cow<'static, str>) {
        self.inner.parse_error(msg);
    }

    fn get_document(&self) -> NodeId {
        self.inner.get_document()
    }

    fn elem_name<'a>(&'a self, target: &'a NodeId) -> Ref<'a, QualName> {
        self.inner.elem_name(target)
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> NodeId {
        self.inner.create_element(name, attrs, flags)
    }

    fn create_comment(&self, text: StrTendril) -> NodeId {
        self.inner.create_comment(text)
    }

    fn create_pi(&self, target: StrTendril, data: StrTendril) -> NodeId {
        self.inner.create_pi(target, data)
    }

    fn append(&self, parent: &NodeId, child: NodeOrText<NodeId>) {
        let inserted = node_of(&child);
        self.inner.append(parent, child);
        self.check(inserted);
    }

    fn append_based_on_parent_node(
        &self,
        element: &NodeId,
        prev_element: &NodeId,
        child: NodeOrText<NodeId>,
    ) {
        let inserted = node_of(&child);
        self.inner
            .append_based_on_parent_node(element, prev_element, child);
        self.check(inserted);
    }

    fn append_doctype_to_document(
        &self,
        name: StrTendril,
        public_id: StrTendril,
        system_id: StrTendril,
    ) {
        self.inner
            .append_doctype_to_document(name, public_id, system_id);
    }

    fn mark_script_already_started(&self, node: &NodeId) {
        self.inner.mark_script_already_started(node);
    }

    fn pop(&self, node: &NodeId) {
        self.inner.pop(node);
    }

    fn get_template_contents(&self, target: &NodeId) -> NodeId {
        self.inner.get_template_contents(target)
    }

    fn same_node(&self, x: &NodeId, y: &NodeId) -> bool {
        self.inner.same_node(x, y)
    }

    fn set_quirks_mode(&self, mode: QuirksMode) {
        self.inner.set_quirks_mode(mode);
    }

    fn append_before_sibling(&self, sibling: &NodeId, new_node: NodeOrText<NodeId>) {
        let inserted = node_of(&new_node);
        self.inner.append_before_sibling(sibling, new_node);
        self.check(inserted);
    }

    fn add_attrs_if_missing(&self, target: &NodeId, attrs: Vec<Attribute>) {
        self.inner.add_attrs_if_missing(target, attrs);
    }

    fn associate_with_form(
        &self,
        target: &NodeId,
        form: &NodeId,
        nodes: (&NodeId, Option<&NodeId>),
    ) {
        self.inner.associate_with_form(target, form, nodes);
    }

    fn remove_from_parent(&self, target: &NodeId) {
        self.inner.remove_from_parent(target);
    }

    fn reparent_children(&self, node: &NodeId, new_parent: &NodeId) {
        self.inner.reparent_children(node, new_parent);
    }

    fn is_mathml_annotation_xml_integration_point(&self, handle: &NodeId) -> bool {
        self.inner
            .is_mathml_annotation_xml_integration_point(handle)
    }

    fn set_current_line(&self, line_number: u64) {
        self.inner.set_current_line(line_number);
    }

    fn allow_declarative_shadow_roots(&self, intended_parent: &NodeId) -> bool {
        self.inner.allow_declarative_shadow_roots(intended_parent)
    }

    fn attach_declarative_shadow(
        &self,
        location: &NodeId,
        template: &NodeId,
        attrs: &[Attribute],
    ) -> bool {
        self.inner
            .attach_declarative_shadow(location, template, attrs)
    }

    fn maybe_clone_an_option_into_selectedcontent(&self, option: &NodeId) {
        self.inner
            .maybe_clone_an_option_into_selectedcontent(option);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth_of_deepest(html: &Html) -> usize {
        html.tree
            .nodes()
            .map(|n| n.ancestors().count())
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn same_tree_as_scraper_for_ordinary_html() {
        let html = format!(
            "<html><head><title>t</title></head><body>{}<p>é ✓ <a href=\"https://x.test/?a=1&amp;b=2\">x</a></p><table><tr><td>c</td></tr></table></body></html>",
            "<div class=\"m\"><b>bold<i>both</b>italic</i></div>\r\n".repeat(500)
        );
        assert!(html.len() > 3 * PIECE_BYTES, "must span several pieces");
        assert_eq!(
            parse_document(&html).root_element().html(),
            Html::parse_document(&html).root_element().html()
        );
    }

    #[test]
    fn stops_soon_after_the_depth_cap() {
        let html = format!(
            "{}<a href=\"https://x.test/\">x</a>",
            "<div>".repeat(200_000)
        );
        let parsed = parse_document(&html);
        let deepest = depth_of_deepest(&parsed);
        assert!(deepest > MAX_DEPTH, "{deepest}");
        assert!(deepest <= MAX_DEPTH + PIECE_BYTES, "{deepest}");
    }

    #[test]
    fn nesting_under_the_cap_is_read_whole() {
        let html = format!(
            "{}<a href=\"https://x.test/\">deep</a>{}",
            "<div>".repeat(400),
            "</div>".repeat(400)
        );
        let parsed = parse_document(&html);
        let selector = scraper::Selector::parse("a").unwrap();
        assert_eq!(parsed.select(&selector).count(), 1);
    }
}
