// A lemon-yellow hibiscus with a deep red eye, centred, on cream paper with soft green leaves.
function petal(angle, len, wid, col, op) {
  push();
  rotate(angle);
  brush.fill(col, op);
  brush.beginShape(0.55);
  brush.vertex(0, 0);
  brush.vertex(-wid * 0.55, -len * 0.5);
  brush.vertex(-wid * 0.45, -len * 0.9);
  brush.vertex(0, -len);
  brush.vertex(wid * 0.45, -len * 0.9);
  brush.vertex(wid * 0.55, -len * 0.5);
  brush.endShape(true);
  pop();
}

function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#fbf6ea');
  brush.noStroke();
  brush.fillBleed(0.3);
  brush.fillTexture(0.4, 0.3);
  brush.fill('#7a9a4c', 180);
  brush.polygon([[0, 40], [180, 120], [230, 200], [120, 170]]);
  brush.fill('#5d8040', 180);
  brush.polygon([[0, 40], [-170, 140], [-210, 210], [-110, 170]]);

  brush.set('HB', '#b08a1e', 0.6);
  brush.fillBleed(0.3);
  brush.fillTexture(0.45, 0.5);
  for (let i = 0; i < 5; i++) petal(i * 72, 165, 140, '#f5d142', 220);
  brush.noStroke();
  for (let i = 0; i < 5; i++) petal(i * 72 + 5, 120, 90, '#f2c230', 130);
  brush.fillBleed(0.1);
  for (let i = 0; i < 5; i++) petal(i * 72, 55, 45, '#b5172f', 230);

  brush.noFill();
  brush.set('pen', '#b5172f', 2);
  brush.line(0, 0, -20, -140);
  brush.set('charcoal', '#e08a1e', 1.6);
  for (let k = 0; k < 5; k++) brush.circle(-20 + random(-14, 14), -145 + random(-12, 8), 4);
}
