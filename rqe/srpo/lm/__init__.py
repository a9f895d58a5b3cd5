"""Token-level SRPO for teams of language models that debate arithmetic word problems.

``docs/rqe-math.md`` section 8; [QZLM] Sec. 5 and App. C. Modules:

* :mod:`rqe.srpo.lm.task`: seeded word problems, the debate prompts, strict answer parsing and the reward
  (no torch needed);
* :mod:`rqe.srpo.lm.tokenizer` and :mod:`rqe.srpo.lm.policy`: policies behind one interface (a small causal
  transformer over characters, and a Hugging Face ``transformers`` adapter);
* :mod:`rqe.srpo.lm.debate`: rolling out an R-round debate between two policies;
* :mod:`rqe.srpo.lm.pretrain`: supervised pre-training of the small model on worked solutions;
* :mod:`rqe.srpo.lm.train`: token-level policy-gradient fine-tuning, IPPO and SRPO, one config dataclass;
* :mod:`rqe.srpo.lm.evaluate`: self-play, cross-play and untrained-partner accuracy and debate diagnostics;
* :mod:`rqe.srpo.lm.cli`: the ``rqe train-lm`` command.

Importing this package imports nothing heavy; torch and transformers load with the modules that need them.
"""
