#pragma once
// Tokens of a packetdrill-format script (pkt/parse.cpp reads them). Hand-written, on demand:
// the parser peeks a few tokens ahead and, for the free text of a system call's note
// "(Operation now in progress)", asks for raw text instead of tokens.
#include <cstddef>
#include <deque>
#include <string>
#include <string_view>

#include "pkt/script.hpp"

namespace tcplab::pkt {

struct Token {
  enum class Kind : std::uint8_t {
    Eof,
    Number,      // 0, 12, 0x1f, 0.100, .1 (raw text; the parser decides what it may be)
    Word,        // S, ack, SOL_SOCKET, sackOK
    String,      // "..." (text is unescaped)
    BackQuoted,  // `...` (text is the inside)
    Option,      // --name=value before the first event (text is without the dashes)
    Ellipsis,    // ...
    Punct,       // one character: < > ( ) [ ] { } , = | : ~ + * . - and the like
  };
  Kind kind = Kind::Eof;
  std::string text;
  Where at;
  std::size_t end = 0;  // byte offset just after the token
};

// How a token reads in a message: "wnd", "<", "end of file".
std::string describe(const Token& t);

class Lexer {
 public:
  Lexer(std::string_view text, const std::string& file);

  const Token& peek(std::size_t k = 0);  // k tokens ahead (k <= 2)
  Token next();
  bool is_punct(char c, std::size_t k = 0);
  bool is_word(std::string_view w, std::size_t k = 0);

  // The raw text after `open` (a '(' token just consumed, nothing peeked after it) up to
  // the next ')' on the same line; continues lexing after the ')'. For strace-style notes.
  std::string raw_paren_text(const Token& open);

  [[noreturn]] void fail(Where at, const std::string& msg) const;
  const std::string& file() const { return file_; }

 private:
  Token lex();
  void skip_space_and_comments();
  Where here() const { return {line_, static_cast<int>(pos_ - line_start_) + 1}; }
  char at(std::size_t i) const { return i < text_.size() ? text_[i] : '\0'; }
  void advance();  // one byte, keeping line/col

  std::string_view text_;
  std::string file_;
  std::size_t pos_ = 0, line_start_ = 0;
  int line_ = 1;
  std::deque<Token> ahead_;
};

}  // namespace tcplab::pkt
