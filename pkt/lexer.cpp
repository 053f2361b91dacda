#include "pkt/lexer.hpp"

#include <fmt/format.h>

namespace tcplab::pkt {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

}  // namespace

std::string describe(const Token& t) {
  switch (t.kind) {
    case Token::Kind::Eof: return "end of file";
    case Token::Kind::String: return fmt::format("\"{}\" (a string)", t.text);
    case Token::Kind::BackQuoted: return fmt::format("`{}`", t.text);
    case Token::Kind::Option: return fmt::format("\"--{}\"", t.text);
    default: return fmt::format("\"{}\"", t.text);
  }
}

Lexer::Lexer(std::string_view text, const std::string& file) : text_(text), file_(file) {}

void Lexer::fail(Where w, const std::string& msg) const { throw PktError(file_, w, msg); }

void Lexer::advance() {
  if (text_[pos_] == '\n') {
    ++line_;
    line_start_ = pos_ + 1;
  }
  ++pos_;
}

const Token& Lexer::peek(std::size_t k) {
  while (ahead_.size() <= k) ahead_.push_back(lex());
  return ahead_[k];
}

Token Lexer::next() {
  peek();
  Token t = std::move(ahead_.front());
  ahead_.pop_front();
  return t;
}

bool Lexer::is_punct(char c, std::size_t k) {
  const Token& t = peek(k);
  return t.kind == Token::Kind::Punct && t.text.size() == 1 && t.text[0] == c;
}

bool Lexer::is_word(std::string_view w, std::size_t k) {
  const Token& t = peek(k);
  return t.kind == Token::Kind::Word && t.text == w;
}

void Lexer::skip_space_and_comments() {
  for (;;) {
    if (pos_ >= text_.size()) return;
    const char c = text_[pos_];
    if (is_space(c)) {
      advance();
    } else if (c == '/' && at(pos_ + 1) == '/') {
      while (pos_ < text_.size() && text_[pos_] != '\n') advance();
    } else if (c == '/' && at(pos_ + 1) == '*') {
      const Where start = here();
      advance();
      advance();
      while (pos_ < text_.size() && !(text_[pos_] == '*' && at(pos_ + 1) == '/')) advance();
      if (pos_ >= text_.size()) fail(start, "unterminated comment (/* without */)");
      advance();
      advance();
    } else {
      return;
    }
  }
}

Token Lexer::lex() {
  skip_space_and_comments();
  Token t;
  t.at = here();
  if (pos_ >= text_.size()) {
    t.end = pos_;
    return t;
  }
  const char c = text_[pos_];
  if (c == '%' && at(pos_ + 1) == '{') fail(t.at, "python blocks (%{ }%) are not supported");
  if (is_digit(c) || (c == '.' && is_digit(at(pos_ + 1)))) {
    t.kind = Token::Kind::Number;
    const std::size_t start = pos_;
    if (c == '0' && (at(pos_ + 1) == 'x' || at(pos_ + 1) == 'X')) {
      advance();
      advance();
      while (is_hex(at(pos_))) advance();
    } else {
      while (is_digit(at(pos_))) advance();
      // A fraction only when a digit follows: "0.1...0.3" and "S." keep their dots.
      if (at(pos_) == '.' && is_digit(at(pos_ + 1))) {
        advance();
        while (is_digit(at(pos_))) advance();
      }
    }
    t.text = std::string(text_.substr(start, pos_ - start));
  } else if (is_alpha(c)) {
    t.kind = Token::Kind::Word;
    const std::size_t start = pos_;
    while (is_alpha(at(pos_)) || is_digit(at(pos_))) advance();
    t.text = std::string(text_.substr(start, pos_ - start));
  } else if (c == '"') {
    t.kind = Token::Kind::String;
    advance();
    for (;;) {
      const char d = at(pos_);
      if (pos_ >= text_.size() || d == '\n') fail(t.at, "unterminated string (\" without a closing \")");
      if (d == '"') break;
      if (d == '\\' && (at(pos_ + 1) == '"' || at(pos_ + 1) == '\\')) advance();
      t.text += text_[pos_];
      advance();
    }
    advance();
  } else if (c == '`') {
    t.kind = Token::Kind::BackQuoted;
    advance();
    const std::size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != '`') advance();
    if (pos_ >= text_.size()) fail(t.at, "unterminated shell command (` without a closing `)");
    t.text = std::string(text_.substr(start, pos_ - start));
    advance();
  } else if (c == '-' && at(pos_ + 1) == '-' && is_alpha(at(pos_ + 2))) {
    // "--tolerance_usecs=10000": one token up to the next space, like a command-line word.
    t.kind = Token::Kind::Option;
    advance();
    advance();
    const std::size_t start = pos_;
    while (pos_ < text_.size() && !is_space(text_[pos_])) advance();
    t.text = std::string(text_.substr(start, pos_ - start));
  } else if (c == '.' && at(pos_ + 1) == '.' && at(pos_ + 2) == '.') {
    t.kind = Token::Kind::Ellipsis;
    t.text = "...";
    advance();
    advance();
    advance();
  } else if (static_cast<unsigned char>(c) >= 0x21 && static_cast<unsigned char>(c) < 0x7f) {
    t.kind = Token::Kind::Punct;
    t.text = std::string(1, c);
    advance();
  } else {
    fail(t.at, fmt::format("unexpected byte 0x{:02x}", static_cast<unsigned char>(c)));
  }
  t.end = pos_;
  return t;
}

std::string Lexer::raw_paren_text(const Token& open) {
  if (!ahead_.empty() || pos_ != open.end) fail(open.at, "internal: note read after a look-ahead");
  std::string out;
  while (pos_ < text_.size() && text_[pos_] != ')' && text_[pos_] != '\n') {
    out += text_[pos_];
    advance();
  }
  if (at(pos_) != ')') fail(open.at, "unterminated note (\"(\" without \")\" on the same line)");
  advance();
  return out;
}

}  // namespace tcplab::pkt
