/* Pieces shared by the LDA commands: `train lda`, `topics`, `evaluate lda`. */
#ifndef AVIS_CLI_LDA_CLI_H
#define AVIS_CLI_LDA_CLI_H

#include "avis_train.h"
#include "train_data.h"

int cmd_train_lda(int argc, char **argv);
int cmd_topics(int argc, char **argv);
int cmd_evaluate_lda(int argc, char **argv);

/* How an LDA command reads its documents. */
typedef struct {
  const char *data_dir;    /* stop words; NULL: the usual search */
  input_format format;
  int tokens;              /* pre-tokenised text, one document a line */
  avis_terms_kind terms;   /* for text inputs: stems or forms */
  const char *text_fields; /* JSON fields joined as the text */
} lda_input;

/* Reads the inputs into a new corpus (with the model holding its stop
 * words, which must outlive it). 0, or an exit status after printing why. */
int lda_read_corpus(const lda_input *in, int n, char **paths,
                    avis_model **model, avis_corpus **out);

/* "--format" values: those of train_data.h, and "tokens". 0 or -1. */
int lda_parse_format(const char *s, lda_input *in);

#endif
