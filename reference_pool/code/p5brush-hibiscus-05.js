// A white hibiscus with a pink heart against a muted sage-green ground, grey petal shadows.
function petal(angle, len, wid, col, op) {
  push();
  rotate(angle);
  brush.fill(col, op);
  brush.beginShape(0.6);
  brush.vertex(0, 0);
  brush.vertex(-wid * 0.55, -len * 0.5);
  brush.vertex(-wid * 0.45, -len * 0.9);
  brush.vertex(wid * 0.0, -len);
  brush.vertex(wid * 0.45, -len * 0.92);
  brush.vertex(wid * 0.55, -len * 0.45);
  brush.endShape(true);
  pop();
}

function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#8c9c8a');
  brush.noStroke();
  brush.fillBleed(0.2);
  brush.fillTexture(0.5, 0.2);
  brush.fill('#6f8270', 160);
  brush.rect(-270, -270, 540, 540);
  brush.noStroke();
  brush.fillBleed(0.35);
  brush.fillTexture(0.4, 0.3);
  brush.fill('#3f5a3c', 220);
  brush.polygon([[-10, 40], [-200, 90], [-250, 160], [-130, 140]]);
  brush.fill('#2f4a30', 220);
  brush.polygon([[20, 50], [150, 190], [160, 260], [80, 170]]);

  brush.set('2B', '#8a8a86', 0.6);
  brush.fillBleed(0.25);
  brush.fillTexture(0.35, 0.5);
  for (let i = 0; i < 5; i++) petal(i * 72 + 50, 170, 145, '#fbfaf5', 240);
  brush.noStroke();
  for (let i = 0; i < 5; i++) petal(i * 72 + 56, 150, 110, '#ffffff', 200);
  for (let i = 0; i < 5; i++) petal(i * 72 + 20, 120, 60, '#b9bcb2', 110);
  brush.fillBleed(0.12);
  for (let i = 0; i < 5; i++) petal(i * 72 + 50, 60, 45, '#c8386a', 240);

  brush.noFill();
  brush.set('pen', '#e8d7b0', 2);
  brush.line(0, 0, -50, -120);
  brush.set('charcoal', '#e0a020', 1.6);
  for (let k = 0; k < 5; k++) brush.circle(-50 + random(-12, 12), -125 + random(-10, 8), 4);
}
