package io.modelship.runtime.card;

/** A model card that cannot be used; the message names the file and the field. */
public class CardException extends RuntimeException {
  public CardException(String message) {
    super(message);
  }

  public CardException(String message, Throwable cause) {
    super(message, cause);
  }
}
